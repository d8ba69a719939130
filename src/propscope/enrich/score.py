"""The document propaganda score.

Propaganda density: the share of a document's sentences that hold (overlap) at least
one span.  Chosen over a sum of span scores because it stays in [0, 1], does not grow
with the length of a document, and a reader can check it by counting highlighted
sentences.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from propscope.model import Span


def propaganda_density(sentences: Sequence[tuple[int, int]], spans: Sequence[Span]) -> float:
    if not sentences:
        return 0.0
    return sentences_hit(sentences, spans) / len(sentences)


def sentences_hit(sentences: Sequence[tuple[int, int]], spans: Sequence[Span]) -> int:
    """How many of ``sentences`` (in text order, as :func:`~propscope.text.segment.sentences`
    gives them) overlap at least one span: the numerator of the density."""
    starts = [s for s, _ in sentences]
    hit = [False] * len(sentences)
    for span in spans:
        k = max(0, bisect_right(starts, span.start) - 1)
        while k < len(sentences) and sentences[k][0] < span.end:
            if sentences[k][1] > span.start:
                hit[k] = True
            k += 1
    return sum(hit)
