"""The public surface: ``propscope.__all__`` and ``propscope.analyze``."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from present.keywords import KeywordDetector

import propscope
from propscope.detect.base import _REGISTRY
from propscope.errors import DetectorError, EmptyInput
from propscope.model import Document, Span

PUBLIC = [
    "AnalysedDocument",
    "Detector",
    "Document",
    "PropscopeError",
    "Span",
    "TECHNIQUES",
    "TECHNIQUE_NAMES",
    "Technique",
    "analyze",
    "analyze_many",
    "available_detectors",
    "get_detector",
    "register",
]


def test_public_names_are_sorted_and_deliberate() -> None:
    """Adding or removing a public name is a decision: update this list with it."""
    assert propscope.__all__ == sorted(propscope.__all__)
    assert propscope.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(propscope, name) is not None


def test_analyze_a_string() -> None:
    result = propscope.analyze("Those  puppet lackeys!", detector="keywords")
    assert result.text == "Those puppet lackeys!"
    assert [(result.span_text(s), s.technique) for s in result.spans] == [
        ("puppet lackeys", "Name_Calling,Labeling")
    ]
    assert result.detector == "keywords.v1"
    assert result.spans[0].detector == "keywords.v1"  # filled in for the detector
    assert result.score == 1.0


def test_analyze_a_document_keeps_it() -> None:
    doc = Document(text="No propaganda here. Only weather.", id="w")
    result = propscope.analyze(doc, detector=KeywordDetector())
    assert result.document is doc
    assert result.spans == [] and result.score == 0.0
    assert len(result.sentences) == 2


def test_analyze_many_keeps_the_order() -> None:
    results = propscope.analyze_many(["vile lies", "calm", "sinister plot"], "keywords")
    assert [len(r.spans) for r in results] == [1, 0, 1]


def test_analyze_refuses_what_it_cannot_analyse() -> None:
    with pytest.raises(EmptyInput):
        propscope.analyze(" \n\u200b ", detector="keywords")
    with pytest.raises(TypeError, match="str or Document"):
        propscope.analyze(b"bytes", detector="keywords")  # type: ignore[arg-type]
    with pytest.raises(DetectorError, match="unknown detector"):
        propscope.analyze("text", detector="missing")


class _Broken:
    """Returns the wrong number of span lists, or a span past the text."""

    name = "broken"
    version = "0"

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        if self.mode == "count":
            return []
        return [[Span(0, len(doc.text) + 1)] for doc in docs]


def test_a_broken_detector_is_caught_at_the_border() -> None:
    with pytest.raises(DetectorError, match="returned 0 span lists for 1"):
        propscope.analyze("text", detector=_Broken("count"))
    with pytest.raises(propscope.PropscopeError, match="ends past the text"):
        propscope.analyze("text", detector=_Broken("bounds"))


def test_a_detector_that_cannot_be_imported_is_a_detector_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Registered through the registry's own dict so the entry goes when the test ends.
    monkeypatch.setitem(_REGISTRY, "needs-missing-package", "propscope_no_such_module:Detector")
    with pytest.raises(DetectorError, match="cannot be loaded"):
        propscope.analyze("text", detector="needs-missing-package")


def test_keyword_detector_meets_the_protocol() -> None:
    assert isinstance(KeywordDetector(), propscope.Detector)
    assert "keywords" in propscope.available_detectors()
