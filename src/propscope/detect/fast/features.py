"""Span features of the technique model (token features of span finding live in
:mod:`propscope.detect.fast.tokenmodel`).

A span is a bag of strings: its words and word pairs, its first and last word, the
words just around it, its length, how often its text recurs in the article
(repetition is a technique, and repeated slogans and labels are a strong cue), how
much of its sentence it covers, quotes, ``!`` and ``?``, and hits of the hand-written
lexicon (:mod:`propscope.detect.fast.lexicon`).  There are few spans per article, so
strings cost nothing here and keep the evidence readable.

Optional groups (:data:`EXTRAS`), named in a model's meta so the runtime computes the
features its weights were trained on: ``position`` (where in the article the span's
sentence is), ``sentence`` (every word of that sentence, prefixed ``s=``) and
``in_title`` (the span, or a content word of it, also in the title).  They are what the
SemEval-2020 TC winners found useful; ``benchmarks/tc_cv.py`` measures each.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Iterable

from propscope.detect.fast.lexicon import lexicon_tags
from propscope.detect.fast.tokens import STOPWORDS, Sentence, Tokenised
from propscope.errors import TrainingError


def _rep_bucket(count: int) -> str:
    return "rep2" if count == 2 else "rep3" if count <= 4 else "rep5"


def _len_bucket(n: int) -> str:
    for limit, name in ((1, "1"), (2, "2"), (3, "3"), (5, "4-5"), (10, "6-10"), (20, "11-20")):
        if n <= limit:
            return name
    return "21+"


def span_tokens(tok: Tokenised, start: int, end: int) -> tuple[list[str], Sentence | None]:
    """Lowercased tokens inside ``[start, end)`` and the sentence the span starts in."""
    sent = tok.sentence_at(start)
    lowers: list[str] = []
    if sent is None:
        return lowers, None
    # Bisection to the first token at or after ``start``: a scan from the sentence's
    # start made each span cost its whole sentence.
    for s in tok.sentences[sent.index:]:
        if s.start >= end:
            break
        for k in range(bisect_left(s.tokens, (start,)), len(s.tokens)):
            a, b = s.tokens[k]
            if a >= end:
                break
            if b <= end:
                lowers.append(s.lowers[k])
    return lowers, sent


EXTRAS = ("position", "sentence", "in_title")


def check_extras(extras: Iterable[str]) -> frozenset[str]:
    """``extras`` as a set, refusing a name :func:`span_features` does not know (a typo
    would otherwise train a model silently without the group)."""
    chosen = frozenset(extras)
    unknown = sorted(chosen - set(EXTRAS))
    if unknown:
        raise TrainingError(f"unknown span feature group(s) {', '.join(unknown)}; "
                            f"known: {', '.join(EXTRAS)}")
    return chosen


def _position(tok: Tokenised, sent: Sentence, feats: dict[str, float]) -> None:
    n = len(tok.sentences)
    if 1 <= sent.index <= 3:
        feats["pos=lead"] = 1.0
    if sent.index >= max(1, n - 3):
        feats["pos=last"] = 1.0
    feats["pos=q" + str(min(3, 4 * sent.index // max(1, n)))] = 1.0


def _in_title(tok: Tokenised, sent: Sentence, key: str, content: list[str],
              feats: dict[str, float]) -> None:
    if sent.index == 0 or not tok.sentences:
        return
    title = tok.sentences[0]
    if len(key) > 2 and key in tok.text[title.start:title.end].lower():
        feats["intitle"] = 1.0
    elif any(w in title.lowers for w in content):
        feats["wtitle"] = 1.0


def span_features(tok: Tokenised, start: int, end: int,
                  extras: frozenset[str] = frozenset()) -> dict[str, float]:
    """Bag-of-strings features of one span, for the technique model; ``extras``: the
    optional groups of :data:`EXTRAS` to add."""
    text = tok.text
    lowers, sent = span_tokens(tok, start, end)
    feats: dict[str, float] = {}
    for low in lowers:
        feats["u=" + low] = 1.0
        for tag in lexicon_tags(low):
            feats["lex=" + tag] = 1.0
    for a, b in itertools.pairwise(lowers):
        feats["b=" + a + "|" + b] = 1.0
    if lowers:
        feats["first=" + lowers[0]] = 1.0
        feats["last=" + lowers[-1]] = 1.0
    feats["len=" + _len_bucket(len(lowers))] = 1.0
    surface = text[start:end]
    key = surface.lower().strip()
    if len(key) > 2:
        count = tok.text_lower_count(key)
        if count > 1:
            feats["trep=" + _rep_bucket(count)] = 1.0
    content = [w for w in lowers if len(w) > 3 and w not in STOPWORDS]
    if content:
        max_count = max(tok.word_counts[w] for w in content)
        if max_count > 1:
            feats["wrep=" + _rep_bucket(max_count)] = 1.0
    if surface[:1].isupper():
        feats["cap"] = 1.0
    if surface.isupper() and len(surface) > 3:
        feats["allcaps"] = 1.0
    if "!" in surface:
        feats["excl"] = 1.0
    if "?" in surface:
        feats["ques"] = 1.0
    if '"' in surface:
        feats["quote"] = 1.0
    if sent is not None:
        if sent.index == 0:
            feats["title"] = 1.0
        cover = (min(end, sent.end) - start) / max(1, sent.end - sent.start)
        feats["cover=" + ("lo" if cover < 0.3 else "mid" if cover < 0.8 else "hi")] = 1.0
        at_start = bisect_left(sent.tokens, (start,))  # tokens before it start before
        at_end = bisect_left(sent.tokens, (end,))
        before = sent.lowers[max(0, at_start - 3) : at_start]
        after = sent.lowers[at_end : at_end + 3]
        for low in before:
            feats["cl=" + low] = 1.0
        for low in after:
            feats["cr=" + low] = 1.0
        if before:
            feats["c-1=" + before[-1]] = 1.0
        if after:
            feats["c+1=" + after[0]] = 1.0
        if "position" in extras:
            _position(tok, sent, feats)
        if "sentence" in extras:
            for low in sent.lowers:
                feats["s=" + low] = 1.0
        if "in_title" in extras:
            _in_title(tok, sent, key, content, feats)
    return feats
