"""The shipped fast model: loads from package data, finds sensible spans, stays in bounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.detect.base import DetectorRef, detector_id, get_detector
from propscope.detect.fast import FastDetector
from propscope.detect.fast.detector import shipped_model_path
from propscope.detect.fast.model import FastModel
from propscope.errors import DetectorError
from propscope.model import AnalysedDocument, Document
from propscope.techniques import TECHNIQUE_NAMES


@pytest.fixture(scope="module")
def detector() -> FastDetector:
    return FastDetector.load()


def test_registry_builds_the_fast_detector() -> None:
    found = get_detector("fast")
    assert isinstance(found, FastDetector)
    assert (found.name, found.version) == ("fast", "1")


# The id of the shipped fast detector with its default settings.  It changes only
# when a setting in FastDetector.config() does (the model file's weights included), or
# how detector_id hashes it: stored analyses are matched by this id, so a change here
# means they will be redone.
SHIPPED_ID = "fast.v1+6c55e392"


def test_shipped_detector_has_a_stable_id_across_loads() -> None:
    first, second = FastDetector.load(), FastDetector.load()
    assert detector_id(first) == detector_id(second) == SHIPPED_ID
    assert detector_id(get_detector("fast")) == SHIPPED_ID
    assert DetectorRef.parse("fast.v1").matches(SHIPPED_ID)


def test_id_changes_with_the_lexicon_and_spans_carry_it() -> None:
    plain = FastDetector.load(lexicon=False)
    assert plain.config()["lexicon"] is False
    assert detector_id(plain) != SHIPPED_ID
    assert detector_id(plain).startswith("fast.v1+")
    text = "The imperialist warmongers and their puppets lie again."
    for detector in (plain, FastDetector.load()):
        who = detector_id(detector)
        found = [*detector.detect([Document(text=text)])[0], *detector.find_spans(text),
                 *detector.classify(text, [(4, 26)])]
        assert found and {s.detector for s in found} == {who}


def test_shipped_model_is_small_and_documented() -> None:
    path = shipped_model_path()
    assert path.is_file() and path.stat().st_size < 5_000_000
    card = path.with_name("fast-v1.card.md").read_text()
    for heading in ("Data", "Split", "Command", "Seed", "Dev", "Size"):
        assert heading in card
    meta = FastModel.load(path).meta
    assert 0 < meta["span_threshold"] < 1 and meta["config"]["seed"] >= 0


def test_bundled_example_spans_are_in_bounds_with_evidence(
    detector: FastDetector, bundled_example: Path
) -> None:
    doc = Document.from_raw(bundled_example.read_text(encoding="utf-8"))
    spans = detector.detect([doc])[0]
    assert spans
    AnalysedDocument(doc, spans, detector_id(detector))  # raises on a span outside the text
    for span in spans:
        assert span.technique in TECHNIQUE_NAMES
        assert 0.0 <= span.score <= 1.0
        assert span.evidence and span.detector == SHIPPED_ID
        assert doc.text[span.start:span.end].strip() == doc.text[span.start:span.end]


def test_state_media_eulogies_are_flagged(detector: FastDetector, wpk_example: Path) -> None:
    doc = Document.from_raw(wpk_example.read_text(encoding="utf-8"))
    spans = detector.detect([doc])[0]

    def techniques_over(phrase: str) -> set[str]:
        at = doc.text.index(phrase)
        return {s.technique for s in spans if s.start < at + len(phrase) and at < s.end}

    assert "Name_Calling,Labeling" in techniques_over("imperialist reactionaries")
    assert "Causal_Oversimplification" in techniques_over("Thanks to him")
    assert "Slogans" in techniques_over("final victory")
    for phrase in ("immortal achievements", "ever-victorious", "invincible military power"):
        assert techniques_over(phrase) & {"Loaded_Language", "Exaggeration,Minimisation"}, phrase


def test_texts_without_words_give_no_spans(detector: FastDetector) -> None:
    docs = [Document(text=""), Document(text="!!! ... ???"), Document(text="\n\n")]
    assert detector.detect(docs) == [[], [], []]


def test_classify_labels_every_given_span(detector: FastDetector) -> None:
    text = "The corrupt regime of thugs lies again. We will win!"
    spans = detector.classify(text, [(4, 27), (45, 52)])
    assert [(s.start, s.end) for s in spans] == [(4, 27), (45, 52)]
    assert all(s.technique in TECHNIQUE_NAMES and s.evidence for s in spans)


def test_broken_or_missing_model_file_is_a_detector_error(tmp_path: Path) -> None:
    with pytest.raises(DetectorError, match="no fast model"):
        FastDetector.load(tmp_path / "absent.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(DetectorError, match="cannot read"):
        FastDetector.load(bad)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
       | st.lists(st.sampled_from(["Thanks to him,", "the", "imperialist reactionaries",
                                   '"', "!", "\n", "WPK", "final victory", "Ünïcode", " "]),
                  max_size=60).map(" ".join))
def test_any_text_gives_spans_inside_it(text: str) -> None:
    detector = FastDetector.load()
    spans = detector.detect([Document(text=text)])[0]
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.technique in TECHNIQUE_NAMES and 0.0 <= span.score <= 1.0
    for span in detector.find_spans(text):
        assert 0 <= span.start < span.end <= len(text)


def test_lone_surrogates_do_not_break_detection(detector: FastDetector) -> None:
    text = "Bad \udcff byte among imperialist reactionaries."
    spans = detector.detect([Document(text=text)])[0]
    at = text.index("imperialist reactionaries")
    assert any(s.start <= at < s.end and s.technique == "Name_Calling,Labeling" for s in spans)


def test_evidence_leaves_out_function_words() -> None:
    from propscope.detect.fast.techniques import _telling

    assert not _telling("u=the") and not _telling("cl=,") and not _telling("b=of|the")
    assert _telling("u=regime") and _telling("b=the|regime") and _telling("trep=rep3")
