"""The shipped neural model: loads with ONNX Runtime alone, agrees with a recorded
expectation, keeps every span inside its text and refuses bad spans.

The expectation (``expected_neural_v1.json``) was recorded once from the shipped model
with ``python tests/neural/test_runtime.py``; rerun that only when the model changes.
int8 kernels differ between CPUs (AVX2 saturates int8 products that AVX-512 VNNI and
aarch64 dot products do not), so the test pins what survives that: decisions far from
the threshold, the ranking of tokens, spans by overlap, and a technique only where the
model's margin is wide; never the last digits of a kernel.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from propscope.detect.base import detector_id, get_detector
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


# Measured differences in a token's "any" probability on SAMPLE: 0.086 between the
# recording (AVX2) and an AVX-512 VNNI CPU, 0.063 between ONNX Runtime's graph
# optimisations on and off on one CPU (other kernels, same ISA).  The bounds below leave
# room for both and still catch a wrong model, tokenizer or window (those move
# probabilities by far more and reorder tokens).
MAX_TOKEN_SHIFT = 0.15
DECISION_MARGIN = 0.15  # a token this far from the threshold must keep its side
MIN_RANK_CORRELATION = 0.9  # measured 0.995 across ISAs
TECHNIQUE_MARGIN = 0.15  # top-1 minus top-2 technique probability where argmax is pinned


def _rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rho without scipy: Pearson's r of the ranks (no ties in practice)."""
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def test_token_probabilities_agree_with_the_recording_across_cpus(detector):
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert expected["text"] == SAMPLE
    got = np.asarray(_record(detector)["any_probs"])
    want = np.asarray(expected["any_probs"])
    assert got.shape == want.shape  # same tokenizer, same windows
    assert np.abs(got - want).max() <= MAX_TOKEN_SHIFT
    assert _rank_correlation(got, want) >= MIN_RANK_CORRELATION
    threshold = detector.settings.threshold
    clear = np.abs(want - threshold) >= DECISION_MARGIN
    assert clear.sum() >= len(want) // 2, "the sample should hold clear decisions"
    np.testing.assert_array_equal(got[clear] >= threshold, want[clear] >= threshold)


def test_spans_agree_with_the_recording_across_cpus(detector):
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    got = _record(detector)["spans"]
    assert expected["spans"], "the recording should hold spans"
    got_spans = [(s, e) for s, e, _, _ in got]
    for start, end, _, _ in expected["spans"]:
        best = max(got_spans, key=lambda g: _overlap(g, (start, end)), default=None)
        assert best is not None and _overlap(best, (start, end)) >= 0.8, (start, end, got_spans)
    # A technique is pinned only where this CPU's top two are far apart.
    pairs = sorted({(s, e) for s, e, _, _ in expected["spans"]})
    (enc,) = detector.pipeline.encode([SAMPLE])
    probs = detector._technique_probs(enc, SAMPLE, pairs)
    names = detector.settings.techniques
    pinned = 0
    for (start, end), p in zip(pairs, probs):
        top2 = np.sort(p)[-2:]
        recorded = {t for s, e, t, _ in expected["spans"] if (s, e) == (start, end)}
        if top2[1] - top2[0] >= TECHNIQUE_MARGIN and not _from_patterns(start, end, expected):
            assert names[int(p.argmax())] in recorded, (start, end, recorded)
            pinned += 1
    assert pinned >= 1, "the sample should hold a span with a clear technique"


def _from_patterns(start: int, end: int, expected: dict) -> bool:
    """Whether the recording's span is a lexicon pattern's: its technique comes from the
    pattern, not the model, so the model's argmax says nothing about it."""
    from propscope.detect.fast.lexicon import lexicon_spans

    return any((a, b) == (start, end) for a, b, *_ in lexicon_spans(expected["text"]))


def test_recording_differs_from_this_cpu_within_the_measured_bounds_only():
    """The bounds are not loose enough to pass a different model: a shuffled
    recording (same values, wrong tokens) fails them."""
    want = np.asarray(json.loads(FIXTURE.read_text(encoding="utf-8"))["any_probs"])
    shuffled = np.random.default_rng(0).permutation(want)
    assert (np.abs(shuffled - want).max() > MAX_TOKEN_SHIFT
            or _rank_correlation(shuffled, want) < MIN_RANK_CORRELATION)


# The id of the shipped neural detector with its default settings; it changes only
# when a setting in NeuralDetector.config() does (stored analyses are matched by it).
SHIPPED_ID = "neural.v1+5bf731c5"


def test_registry_names_the_neural_detector():
    det = get_detector("neural")
    assert (det.name, det.version) == ("neural", "1")
    assert detector_id(det) == SHIPPED_ID


def test_id_is_stable_across_loads_and_follows_the_settings(detector):
    assert detector_id(NeuralDetector.load()) == detector_id(detector) == SHIPPED_ID
    others = {detector_id(NeuralDetector.load(lexicon=False)),
              detector_id(NeuralDetector.load(blend=False))}
    assert len(others) == 2 and SHIPPED_ID not in others
    assert "batch_size" not in detector.config()  # orders the work, changes no span


def test_other_model_files_get_another_id(tmp_path):
    """A retrained student with the same settings must not pass for the shipped one."""
    import shutil

    from propscope.detect.neural.runtime import default_model_path

    folder = default_model_path().parent
    meta = json.loads(default_model_path().read_text(encoding="utf-8"))
    for name in (default_model_path().name, meta["onnx"], meta["span_onnx"], meta["tokenizer"]):
        shutil.copy(folder / name, tmp_path / name)
    same = NeuralDetector.load(tmp_path)
    assert detector_id(same) == SHIPPED_ID
    tokenizer = tmp_path / meta["tokenizer"]
    tokenizer.write_text(tokenizer.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert detector_id(NeuralDetector.load(tmp_path)) != SHIPPED_ID


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
            assert span.detector == SHIPPED_ID
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
