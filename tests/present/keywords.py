"""A small, real detector for tests: fixed phrases, each tied to one technique.

Tests of the faces and the CLI must not depend on a trained model (it may be missing,
and its spans change with every retraining), so they run this one: it implements the
:class:`~propscope.detect.base.Detector` protocol in full and is registered under the
name ``keywords`` when this module is imported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import propscope
from propscope.model import Document, Span

PHRASES: dict[str, str] = {
    "imperialist warmongers": "Name_Calling,Labeling",
    "warmongers": "Name_Calling,Labeling",
    "puppet lackeys": "Name_Calling,Labeling",
    "vile lies": "Loaded_Language",
    "sinister": "Loaded_Language",
    "never before seen in the history": "Exaggeration,Minimisation",
    "the most brutal crime against humanity": "Exaggeration,Minimisation",
    "there is no third road": "Black-and-White_Fallacy",
    "no one wants to be left behind": "Bandwagon,Reductio_ad_hitlerum",
    "motherland": "Flag-Waving",
    "let us defend the motherland with the harvest": "Slogans",
    "thanks to the wise": "Appeal_to_Authority",
}
"""Phrase → technique.  Some overlap on purpose ("imperialist warmongers" holds
"warmongers"; the slogan holds "motherland") so overlap handling gets exercised."""


class KeywordDetector:
    name = "keywords"
    version = "1"

    def __init__(self, phrases: dict[str, str] | None = None) -> None:
        self.phrases = dict(PHRASES if phrases is None else phrases)
        self._patterns = [
            (re.compile(r"\b" + re.escape(p) + r"\b", re.IGNORECASE), p, t)
            for p, t in self.phrases.items()
        ]

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        return [self._detect_one(doc.text) for doc in docs]

    def _detect_one(self, text: str) -> list[Span]:
        spans = []
        for pattern, phrase, technique in self._patterns:
            for match in pattern.finditer(text):
                spans.append(Span(match.start(), match.end(), technique, score=0.9,
                                  evidence=f"keyword: {phrase!r}"))
        return spans


propscope.register("keywords", KeywordDetector)
