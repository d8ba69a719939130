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


# A page as a scraper leaves it: skip link, caption, cookie notice, a name fused with
# the next word.  Written for this test.
SCRAPED = (
    "Skip links\n"
    "Skip to main content\n\n"
    "The Great Leader Kim Il Sung founded the party. Kim Il Sung led the struggle.\n\n"
    "The people love Kim Il Sungdeeply and follow the party.\n\n"
    "This website uses cookies. By continuing to browse you accept our cookie policy.\n"
)


def test_a_string_is_read_as_the_cli_reads_a_text_file(tmp_path) -> None:
    """One routing: the library removes furniture and repairs fused names, as
    ``propscope analyze FILE`` does, so both give the same document text."""
    from propscope.ingest import IngestOptions, load_one

    result = propscope.analyze(SCRAPED, detector="keywords")
    assert "Skip links" not in result.text
    assert "cookies" not in result.text
    path = tmp_path / "page.txt"
    path.write_text(SCRAPED, encoding="utf-8")
    assert load_one(str(path), IngestOptions()).text == result.text


def test_analyze_refuses_nonsense_with_a_type_error() -> None:
    for detector in (None, 123, object()):
        with pytest.raises(TypeError, match="detector must be"):
            propscope.analyze("text", detector=detector)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a list of texts"):
        propscope.analyze_many("abc", "keywords")  # type: ignore[arg-type]


def test_one_detector_id_accepted_everywhere() -> None:
    """``fast``, ``fast.v1`` and the full id name one detector; every span carries
    the id; a version that is not installed is refused."""
    by_name = propscope.analyze("vile lies", detector="keywords")
    by_id = propscope.analyze("vile lies", detector=by_name.detector)
    assert by_name.detector == by_id.detector == "keywords.v1"
    assert {s.detector for s in by_name.spans} == {"keywords.v1"}
    with pytest.raises(DetectorError, match="not the installed detector"):
        propscope.analyze("vile lies", detector="keywords.v9")
    with pytest.raises(DetectorError, match="not a detector name"):
        propscope.analyze("vile lies", detector="fast v1; drop")


class _Configured:
    """A detector whose settings change its output: its id carries their hash."""

    name = "configured"
    version = "2"

    def __init__(self, lexicon: bool) -> None:
        self.lexicon = lexicon

    def config(self) -> dict[str, object]:
        return {"lexicon": self.lexicon}

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        return [[Span(0, 1, detector="something-else")] for _ in docs]


def test_the_id_tells_configurations_apart_and_is_stamped_on_every_span() -> None:
    on = propscope.analyze("text", detector=_Configured(True))
    off = propscope.analyze("text", detector=_Configured(False))
    assert on.detector.startswith("configured.v2+") and off.detector.startswith("configured.v2+")
    assert on.detector != off.detector
    assert on.detector == propscope.analyze("text", detector=_Configured(True)).detector
    assert [s.detector for s in on.spans] == [on.detector]


def test_version_is_the_package_metadata() -> None:
    from importlib.metadata import version

    assert propscope.__version__ == version("propscope")


def test_min_score_keeps_only_spans_at_or_above_it_and_rescores_the_document() -> None:
    text = ("The criminal regime lies. Weather is calm today. "
            "The heroic people will crush the brutal invaders.")
    every = propscope.analyze(text, detector="fast")
    scores = sorted({s.score for s in every.spans})
    assert len(scores) >= 2, "the example should give spans of different scores"
    cut = scores[len(scores) // 2]
    kept = propscope.analyze(text, detector="fast", min_score=cut)
    assert kept.spans == [s for s in every.spans if s.score >= cut]
    assert 0 < len(kept.spans) < len(every.spans)
    # The document's score counts only the spans kept: with none kept it is 0, where a
    # score of all the detector's spans would stay what it was.
    none_kept = propscope.analyze(text, detector="fast", min_score=1.0)
    assert none_kept.spans == [] and none_kept.score == 0.0 < every.score
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="min_score"):
            propscope.analyze(text, detector="fast", min_score=bad)
    for bad in ("0.5", None, True):
        with pytest.raises(TypeError, match="min_score"):
            propscope.analyze(text, detector="fast", min_score=bad)  # type: ignore[arg-type]
