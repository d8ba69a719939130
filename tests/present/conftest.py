"""Documents with spans built by hand, for the faces to render."""

from __future__ import annotations

import pytest

from propscope.model import AnalysedDocument, Document, Span
from propscope.pipeline import analyze

from .keywords import KeywordDetector

HOSTILE = (
    "The imperialist warmongers lie.\n"
    "<script>alert('owned')</script> <img src=x onerror=alert(1)> "
    "</div></section><b>bold</b> &amp; [bold]rich markup[/bold] {{ template }}\n"
    "Let us defend the motherland with the harvest!"
)


def by_hand(text: str, *spans: tuple[int, int, str | None]) -> AnalysedDocument:
    """An analysed document with exactly these spans (no detector involved)."""
    return AnalysedDocument(
        document=Document(text=text, id="hand"),
        spans=[Span(s, e, t, score=0.5, detector="hand.v1", evidence=f"ev{i}")
               for i, (s, e, t) in enumerate(spans)],
        detector="hand.v1",
        score=0.5,
        sentences=[(0, len(text))],
    )


@pytest.fixture()
def crossing() -> AnalysedDocument:
    """Two spans that cross (neither holds the other) and one nested in the first."""
    text = "aaaa bbbb cccc dddd"
    return by_hand(
        text,
        (0, 9, "Loaded_Language"),  # "aaaa bbbb"
        (5, 14, "Doubt"),  # "bbbb cccc"
        (0, 4, "Slogans"),  # "aaaa"
    )


@pytest.fixture()
def hostile() -> AnalysedDocument:
    # A Document, not a string: the faces must render every line of it, and a string
    # would first lose its header lines to furniture removal.
    return analyze(Document.from_raw(HOSTILE), detector=KeywordDetector())
