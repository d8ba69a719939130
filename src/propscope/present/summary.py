"""Figures every face shows beside the text: counts, the score in words, a short quote.

Kept apart so the terminal, the HTML report and any later face describe a document
with the same words and the same rounding.
"""

from __future__ import annotations

from propscope.enrich.score import sentences_hit
from propscope.model import AnalysedDocument, Span
from propscope.techniques import TECHNIQUES_BY_NAME, Technique

NO_TECHNIQUE = Technique(
    0, "propaganda", "propaganda", "Propaganda (technique not named)", "#dddddd",
    "A stretch a detector marked as propaganda without naming the technique "
    "(span identification alone).",
    "",
)
"""Stands in for the technique of a span that has none (SemEval subtask SI)."""


def technique_of(span: Span) -> Technique:
    return TECHNIQUES_BY_NAME[span.technique] if span.technique else NO_TECHNIQUE


def technique_counts(result: AnalysedDocument) -> list[tuple[Technique, int]]:
    """Each technique found with its number of spans, most frequent first (as
    :meth:`AnalysedDocument.counts`)."""
    by_name: dict[str, Technique] = {}
    for span in result.spans:
        technique = technique_of(span)
        by_name[technique.name] = technique
    return [(by_name[name], count) for name, count in result.counts().items()]


def document_label(result: AnalysedDocument, number: int) -> str:
    doc = result.document
    return doc.title or doc.id or f"document {number}"


def score_sentence(result: AnalysedDocument) -> str:
    """The document score with what it means, e.g. ``0.43 (3 of 7 sentences hold a
    span)``; the count is taken from the sentences and spans themselves, as the
    score is (:func:`~propscope.enrich.score.sentences_hit`)."""
    total = len(result.sentences)
    hit = sentences_hit(result.sentences, result.spans)
    noun = "sentence" if total == 1 else "sentences"
    verb = "holds" if hit == 1 else "hold"
    return f"{result.score:.2f} ({hit} of {total} {noun} {verb} a span)"


def quote(text: str, limit: int = 80) -> str:
    """``text`` on one line, past ``limit`` characters shortened in the middle at word
    boundaries (``“firmly … Party”``, never ``“firml…rly Party”``); a single word
    longer than half the limit is the one thing cut inside."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        words = flat.split(" ")
        half = (limit - 3) // 2  # " … " joins the two halves
        head = _words_within(words, half) or flat[:half]
        tail_room = limit - 3 - len(head)
        tail = " ".join(reversed(_words_within(words[::-1], tail_room).split(" ")))
        flat = f"{head} … {tail.strip() or flat[-tail_room:]}"
    return f"\u201c{flat}\u201d"


def _words_within(words: list[str], room: int) -> str:
    """The longest run of ``words`` from the first that fits in ``room`` characters,
    joined by spaces ("" when the first word alone is too long)."""
    taken = 0
    for count, word in enumerate(words):
        taken += len(word) + (1 if count else 0)
        if taken > room:
            return " ".join(words[:count])
    return " ".join(words)
