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
    """``text`` on one line, cut in the middle past ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        half = (limit - 1) // 2
        flat = flat[:half] + "…" + flat[-(limit - 1 - half):]
    return f"\u201c{flat}\u201d"
