"""The shipped neural model: loads with ONNX Runtime alone, agrees with a recorded
expectation, keeps every span inside its text and refuses bad spans.

The expectation (``expected_neural_v1.json``) was recorded once from the shipped model
with ``python tests/neural/test_runtime.py``; rerun that only when the model changes.
int8 kernels differ a little between CPUs, so token probabilities are compared with a
tolerance and spans by overlap.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from propscope.detect.base import get_detector
from propscope.detect.neural.runtime import NeuralDetector
from propscope.errors import DetectorError
from propscope.model import Document, Span

FIXTURE = Path(__file__).with_name("expected_neural_v1.json")
SAMPLE = (
    "The heroic people, united behind their glorious leader, will crush the imperialist "
    "warmongers and their puppets once and for all.\n"
    "Only traitors and cowards doubt the final victory of our invincible nation.\n"
    "The ministry reported an average harvest this year."
)


@pytest.fixture(scope="module")
def detector() -> NeuralDetector:
    return NeuralDetector.load()


def _record(detector: NeuralDetector) -> dict:
    (enc,) = detector.pipeline.encode([SAMPLE])
    spans = detector.detect([Document(text=SAMPLE)])[0]
    return {
        "text": SAMPLE,
        "any_probs": [round(float(p), 4) for p in enc.probs[:, 0]],
        "spans": [[s.start, s.end, s.technique, round(s.score, 4)] for s in spans],
    }


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / max(a[1] - a[0], b[1] - b[0])


def test_shipped_model_agrees_with_the_recording(detector):
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert expected["text"] == SAMPLE
    got = _record(detector)
    np.testing.assert_allclose(got["any_probs"], expected["any_probs"], atol=0.05)
    assert expected["spans"], "the recording should hold spans"
    got_spans = [(s, e) for s, e, _, _ in got["spans"]]
    for start, end, technique, _ in expected["spans"]:
        best = max(got_spans, key=lambda g: _overlap(g, (start, end)), default=None)
        assert best is not None and _overlap(best, (start, end)) >= 0.8, (start, end, got_spans)


def test_registry_names_the_neural_detector():
    det = get_detector("neural")
    assert (det.name, det.version) == ("neural", "1")


def test_spans_stay_inside_odd_texts(detector):
    texts = [
        "",
        " \n\n ",
        "!!!",
        "Ünïcödé “quotes” — and emoji 🙂🙂 in the imperialist warmongers' lies!\n\n\nEnd",
        "traitors " * 600,  # one sentence far longer than a window
        "Title\n\n" + "\n".join(f"The enemy lies again, line {i}." for i in range(60)),
    ]
    docs = [Document(text=t) for t in texts]
    results = detector.detect(docs)
    assert len(results) == len(docs)
    assert results[0] == [] and results[1] == []
    for doc, spans in zip(docs, results):
        for span in spans:
            span.check(doc.text)
            assert span.technique is not None and 0.0 <= span.score <= 1.0
            assert span.detector == "neural.v1"
            assert "\n" not in doc.text[span.start : span.end]


def test_find_spans_and_classify_follow_the_semeval_seam(detector):
    found = detector.find_spans(SAMPLE)
    assert found and all(s.technique is None for s in found)
    start = SAMPLE.index("imperialist")
    pair = (start, start + len("imperialist warmongers"))
    labelled = detector.classify(SAMPLE, [pair, pair, Span(0, 3)])
    assert [(s.start, s.end) for s in labelled] == [pair, pair, (0, 3)]
    assert labelled[0].technique != labelled[1].technique  # a repeat gets the runner-up
    assert detector.classify(SAMPLE, []) == []


@pytest.mark.parametrize("bad", [(5, 5), (-1, 3), (0, len(SAMPLE) + 1), (10, 2)])
def test_classify_refuses_spans_outside_the_text(detector, bad):
    with pytest.raises(DetectorError):
        detector.classify(SAMPLE, [bad])


def test_load_reports_a_missing_model(tmp_path):
    with pytest.raises(DetectorError):
        NeuralDetector.load(tmp_path)


@pytest.mark.parametrize("content", ["{not json", '{"onnx": "x.onnx"}'])
def test_load_reports_a_damaged_model_description(tmp_path, content):
    (tmp_path / "neural-v1.json").write_text(content, encoding="utf-8")
    with pytest.raises(DetectorError, match="cannot read the neural model description"):
        NeuralDetector.load(tmp_path)


def test_runtime_needs_no_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"  # any import of torch now fails
        "from propscope.detect.neural.runtime import NeuralDetector\n"
        "from propscope.model import Document\n"
        "d = NeuralDetector.load()\n"
        "print(len(d.detect([Document(text='The traitors lie again and again.')])[0]) >= 0)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


if __name__ == "__main__":  # record the expectation from the shipped model
    FIXTURE.write_text(json.dumps(_record(NeuralDetector.load()), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")
