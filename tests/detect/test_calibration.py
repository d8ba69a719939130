"""Span scores as probabilities (propscope.detect.calibration) and the detectors' use
of a model's calibration map."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from propscope.detect.base import detector_id
from propscope.detect.calibration import (
    Calibration, expected_calibration_error, reliability, span_is_right,
)
from propscope.model import Document


def test_fit_learns_the_share_right_and_stays_monotone() -> None:
    rng = np.random.default_rng(0)
    scores = rng.uniform(0, 1, 4000)
    right = rng.uniform(0, 1, 4000) < scores / 2  # truly right half as often as the score says
    cal = Calibration.fit(scores, right)
    assert all(b >= a for a, b in zip(cal.ys, cal.ys[1:]))
    assert cal(0.8) == pytest.approx(0.4, abs=0.08)
    assert cal(0.2) == pytest.approx(0.1, abs=0.06)
    raw_error = expected_calibration_error(scores, right)
    assert raw_error > 0.2
    assert expected_calibration_error(cal.many(scores), right) < raw_error / 4


def test_map_clips_outside_its_range_and_round_trips() -> None:
    cal = Calibration((0.1, 0.5), (0.2, 0.6))
    assert cal(0.0) == 0.2 and cal(1.0) == 0.6 and cal(0.3) == pytest.approx(0.4)
    assert Calibration.from_dict(cal.to_dict()) == cal
    assert Calibration.from_dict(None) is None and Calibration.from_dict({}) is None


@pytest.mark.parametrize("xs, ys", [((), ()), ((0.1, 0.2), (0.5,)), ((0.5, 0.1), (0.1, 0.2)),
                                    ((0.1, 0.2), (0.6, 0.5)), ((0.1,), (1.5,))])
def test_a_malformed_map_is_refused(xs: tuple, ys: tuple) -> None:
    with pytest.raises(ValueError):
        Calibration(xs, ys)


def test_fit_refuses_mismatched_or_empty_outcomes() -> None:
    with pytest.raises(ValueError):
        Calibration.fit([0.1, 0.2], [True])
    with pytest.raises(ValueError):
        Calibration.fit([], [])


def test_a_span_is_right_when_gold_of_its_technique_covers_half_of_it() -> None:
    gold = [(10, 20, "Loaded_Language"), (30, 40, "Name_Calling,Labeling")]
    assert span_is_right(12, 18, "Loaded_Language", gold)
    assert span_is_right(10, 28, "Loaded_Language", gold)  # 10 of 18 covered
    assert not span_is_right(10, 40, "Loaded_Language", gold)  # 10 of 30
    assert not span_is_right(12, 18, "Doubt", gold)
    assert span_is_right(32, 38, None, gold)  # any technique
    assert not span_is_right(5, 5, None, gold)


def test_reliability_counts_every_span_once() -> None:
    rows = reliability([0.1, 0.25, 0.4, 0.9, 1.0], [False, False, True, True, True])
    assert sum(n for _, _, n, _, _ in rows) == 5
    assert rows[-1][4] == 1.0


def test_the_neural_detector_reports_calibrated_scores_without_changing_its_spans() -> None:
    pytest.importorskip("onnxruntime")
    from propscope.detect.neural.runtime import NeuralDetector

    text = ("The criminal regime of warmongers must be crushed, the great leader declared, "
            "and the heroic people will never forget the brutal invaders.")
    det = NeuralDetector.load()
    settings = det.pipeline.settings
    det.pipeline.settings = dataclasses.replace(settings, calibration=None)
    raw, raw_id = det.detect([Document(text=text)])[0], detector_id(det)
    cal = Calibration((0.0, 1.0), (0.05, 0.25))  # every score squeezed into [0.05, 0.25]
    det.pipeline.settings = dataclasses.replace(settings, calibration=cal.to_dict())
    calibrated = det.detect([Document(text=text)])[0]
    assert raw, "the example should give the neural detector something to find"
    learned = [(s, c) for s, c in zip(raw, calibrated) if s.evidence.startswith("neural")]
    assert [(s.start, s.end, s.technique) for s in raw] == [
        (s.start, s.end, s.technique) for s in calibrated]
    assert learned and all(c.score == pytest.approx(cal(s.score)) for s, c in learned)
    assert detector_id(det) != raw_id  # a store must not mix the two kinds of score


def test_the_fast_detector_reports_calibrated_scores_without_changing_its_spans() -> None:
    from propscope.detect.fast.detector import FastDetector, shipped_model_path
    from propscope.detect.fast.model import FastModel

    text = ("The criminal regime of warmongers must be crushed, the great leader declared, "
            "and the heroic people will never forget the brutal invaders.")
    model = FastModel.load(shipped_model_path())
    raw_model = dataclasses.replace(model, meta={**model.meta, "calibration": None})
    cal = Calibration((0.0, 1.0), (0.05, 0.25))
    cal_model = dataclasses.replace(model, meta={**model.meta, "calibration": cal.to_dict()})
    raw_det, cal_det = FastDetector(raw_model, lexicon=False), FastDetector(cal_model, lexicon=False)
    raw, calibrated = raw_det.detect_text(text), cal_det.detect_text(text)
    assert raw, "the example should give the fast detector something to find"
    assert [(s.start, s.end, s.technique) for s in raw] == [
        (s.start, s.end, s.technique) for s in calibrated]
    assert all(c.score == pytest.approx(cal(s.score)) for s, c in zip(raw, calibrated))
    assert detector_id(raw_det) != detector_id(cal_det)


def test_the_shipped_models_carry_a_calibration() -> None:
    """Both shipped models were calibrated (benchmarks/cross_validation.py --calibrate,
    benchmarks/neural_cv.py --write-settings): their scores are probabilities."""
    from propscope.detect.fast.detector import FastDetector

    fast = FastDetector.load()
    assert fast.calibration is not None
    assert 0.0 <= fast.calibration(0.0) <= fast.calibration(1.0) <= 1.0
    pytest.importorskip("onnxruntime")
    from propscope.detect.neural.runtime import NeuralDetector

    assert Calibration.from_dict(NeuralDetector.load(blend=False).settings.calibration)
