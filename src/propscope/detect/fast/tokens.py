"""A document cut into sentences of word tokens, with what the features need to know.

Cut once per document and shared by span finding (a CRF over tokens) and technique
labelling (a linear model over spans), so the two never disagree on boundaries.
Offsets index ``Document.text`` (the normalised text).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from propscope.detect.fast.counting import SubstringCounter

# The word pattern of propscope.text.segment, so tokens agree with the rest.
from propscope.text.segment import _WORD

# A sentence: a run of a line up to ., ! or ? (with closing quotes/brackets) that is
# followed by a space, or up to the line end.  Cruder than blingfire, but ~20x faster
# through Python (blingfire's offset wrapper walks the bytes in Python, ~3 ms an
# article, a third of this detector's budget), and the features only need a
# sentence's rough extent: PTC and scraped news put one sentence a line anyway.
_SENTENCE = re.compile(r"[^\s](?:[^\n]*?[.!?][\"')\]]*(?= )|[^\n]*)")

# A longer run of tokens is cut into sentences of at most this many.  The CRF's
# forward-backward loops over the positions of the longest sentence, and the span
# features look around a span inside its sentence, so one unbounded sentence (a
# megabyte on one line, punctuation without end) made both slow.  The longest sentence
# of the 371 PTC articles has 148 tokens, so real text is never cut.
MAX_SENTENCE_TOKENS = 200

# Function words: never counted as "repeated" (every article repeats "the").
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said says also one two new like get got
    """.split()  # noqa: SIM905 (a word block reads better than a list)
)


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    tokens: list[tuple[int, int]]
    lowers: list[str]
    index: int  # 0 is the first sentence (the title in PTC layout)
    exclaim: bool
    question: bool


@dataclass(slots=True)
class Tokenised:
    """Sentences of a text plus article-wide counts for the repetition features."""

    text: str
    sentences: list[Sentence]
    word_counts: Counter[str]
    _starts: list[int]
    _counter: SubstringCounter | None = None

    def text_lower_count(self, needle: str) -> int:
        """How often ``needle`` (lowercase) occurs in the lowercased text, as
        ``str.count`` says; without a scan of the text for each of many spans (see
        :mod:`~propscope.detect.fast.counting`)."""
        if self._counter is None:
            self._counter = SubstringCounter(self.text.lower())
        return self._counter.count(needle)

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence holding ``offset`` (or the nearest before it)."""
        k = bisect_right(self._starts, offset) - 1
        return self.sentences[k] if k >= 0 and self.sentences else None


def tokenise(text: str) -> Tokenised:
    """Sentences, word tokens and repetition counts of ``text``."""
    sents: list[Sentence] = []
    word_counts: Counter[str] = Counter()
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower to two: lower by token
        lowered = ""
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        toks = [m.span() for m in _WORD.finditer(text, start, end)]
        if not toks:
            continue
        if lowered:
            lowers = [lowered[a:b] for a, b in toks]
        else:
            lowers = [text[a:b].lower() for a, b in toks]
        for k in range(0, len(toks), MAX_SENTENCE_TOKENS):
            part = toks[k : k + MAX_SENTENCE_TOKENS]
            a = start if k == 0 else part[0][0]
            b = end if k + MAX_SENTENCE_TOKENS >= len(toks) else part[-1][1]
            chunk = text[a:b]
            sents.append(Sentence(a, b, part, lowers[k : k + MAX_SENTENCE_TOKENS],
                                  len(sents), "!" in chunk, "?" in chunk))
        word_counts.update(lowers)
    return Tokenised(text, sents, word_counts, [s.start for s in sents])
