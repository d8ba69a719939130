"""Technique classification of the fast detector: repeated spans, optional span feature
groups, class weights, and the bench that chooses among them."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from propscope.detect.base import detector_id
from propscope.detect.fast import FastDetector
from propscope.detect.fast.features import EXTRAS, check_extras, span_features
from propscope.detect.fast.techniques import TechniqueModel, rank_techniques
from propscope.detect.fast.tokens import tokenise
from propscope.detect.fast.train import (
    Example,
    TrainConfig,
    class_weights,
    fit_tc,
    tc_extras,
    tc_offsets,
    technique_model,
)
from propscope.errors import TrainingError

TEXT = ("Glorious victory of the people\n\nThe people won a glorious victory today. "
        "Critics, the traitors, lie again! Why would anyone doubt it? It is the end.")


@pytest.fixture(scope="module")
def detector() -> FastDetector:
    return FastDetector.load()


def test_a_span_given_twice_gets_its_two_most_likely_techniques(detector) -> None:
    span = (TEXT.index("the traitors"), TEXT.index("the traitors") + len("the traitors"))
    other = (0, 8)
    once, first, between, second = detector.classify(TEXT, [span, span, other, span])[:4]
    probs = detector.technique_probabilities(tokenise(TEXT), [span], detector.techniques.classes)[0]
    top = [detector.techniques.classes[k] for k in np.argsort(-probs)[:3]]
    assert [once.technique, first.technique, second.technique] == top
    assert between.technique == detector.classify(TEXT, [other])[0].technique
    assert once.score > first.score > second.score


def test_rank_techniques_counts_repeats_per_span_and_stops_at_the_last_class() -> None:
    probs = np.array([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2], [0.2, 0.7, 0.1],
                      [0.2, 0.7, 0.1], [0.2, 0.7, 0.1]])
    spans = [(0, 3), (5, 9), (0, 3), (0, 3), (0, 3)]
    assert rank_techniques(probs, spans, "abc") == ["b", "a", "a", "c", "c"]
    assert rank_techniques(probs[:0], [], "abc") == []


def test_optional_feature_groups_add_their_features_only_when_named() -> None:
    tok = tokenise(TEXT)
    start = TEXT.index("glorious victory today")
    end = start + len("glorious victory")
    plain = span_features(tok, start, end)
    assert not any(f.startswith(("pos=", "s=")) or f in ("intitle", "wtitle") for f in plain)
    full = span_features(tok, start, end, frozenset(EXTRAS))
    assert set(plain) < set(full)
    assert {"pos=lead", "intitle", "s=people", "s=today"} <= set(full)
    assert "pos=last" not in full
    end_at = TEXT.index("the end")
    last = span_features(tok, end_at, end_at + 7, frozenset({"position", "in_title"}))
    assert "pos=last" in last and "intitle" not in last and "wtitle" not in last
    title = span_features(tok, 0, 8, frozenset({"in_title"}))
    assert "intitle" not in title  # the title is not "also in the title"


def test_unknown_feature_groups_and_class_weights_are_refused() -> None:
    with pytest.raises(TrainingError, match="unknown span feature group"):
        check_extras(["position", "sentense"])
    assert tc_extras(TrainConfig(tc_features=" position, in_title ,")) == {
        "position", "in_title"}
    with pytest.raises(TrainingError, match="tc_class_weight"):
        class_weights(["a"], "inverse")
    # Refused when the config is made, not after the CRF has trained for minutes;
    # one offset fold would have been ignored.
    for bad in ({"tc_features": "postion"}, {"tc_class_weight": "inverse"},
                {"tc_offset_folds": 1}, {"tc_offset_folds": -2}):
        with pytest.raises(TrainingError):
            TrainConfig(**bad)


def test_class_weights_weigh_rare_techniques_up() -> None:
    labels = ["a"] * 8 + ["b"] * 2
    assert class_weights(labels, "none") is None
    balanced = class_weights(labels, "balanced")
    assert balanced == pytest.approx({"a": 10 / 16, "b": 10 / 4})
    root = class_weights(labels, "sqrt")
    assert root == pytest.approx({k: v ** 0.5 for k, v in balanced.items()})


def test_a_model_file_names_the_groups_its_runtime_computes(detector) -> None:
    assert detector.techniques.extras == frozenset(detector.model.meta.get("tc_features", ()))
    tc = {"tc_weights": np.zeros((2, 2), np.float32), "tc_bias": np.array([0.0, 1.0], np.float32),
          "tc_vocab": ["u=victory", "s=people"], "tc_classes": ["A", "B"],
          "tc_features": ["sentence"]}
    model = technique_model(tc)
    assert isinstance(model, TechniqueModel) and model.extras == {"sentence"}
    start = TEXT.index("glorious victory today")
    assert model.features(tokenise(TEXT), start, start + 16) == [0, 1]
    ((k, p, idx),) = model.classify(tokenise(TEXT), [(start, start + 16)])
    assert (model.classes[k], idx) == ("B", [0, 1]) and p > 0.5


def test_other_weights_give_another_detector_id(detector) -> None:
    """Stored analyses are matched by the detector id: a retrained model must not
    pass for the old one, while the same file loaded twice keeps its id."""
    assert detector_id(FastDetector.load()) == detector_id(detector)
    model = detector.model
    for changed in (dataclasses.replace(model, tc_bias=model.tc_bias + 0.5),
                    dataclasses.replace(model, span_tables=model.span_tables * 0.5),
                    dataclasses.replace(model, meta={**model.meta, "tc_features": ["position"]})):
        other = FastDetector(changed)
        assert other.config()["model"] != detector.config()["model"]
        assert detector_id(other) != detector_id(detector)
    same = FastDetector(dataclasses.replace(model, meta={**model.meta, "note": "x"}))
    assert detector_id(same) == detector_id(detector)


def _examples(n: int) -> list[Example]:
    """Articles whose spans say their technique plainly: a "traitor" span is
    Name_Calling, a "glorious" span Loaded_Language."""
    out = []
    for i in range(n):
        text = f"Title {i}\n\nThe traitors lied. A glorious day came. The traitors fled."
        gold = [(text.index("traitors lied"), text.index(" lied"), "Name_Calling,Labeling"),
                (text.index("glorious day"), text.index(" day came"), "Loaded_Language"),
                (text.rindex("traitors"), text.rindex(" fled"), "Name_Calling,Labeling")]
        out.append(Example(str(i), tokenise(text), gold))
    return out


def test_offsets_leave_a_model_alone_where_it_is_already_right() -> None:
    pytest.importorskip("sklearn")
    examples = _examples(6)
    offsets = tc_offsets(examples, 1.0, TrainConfig(tc_offset_folds=3),
                         ["Loaded_Language", "Name_Calling,Labeling"])
    assert offsets.shape == (2,) and not offsets.any()
    plain = fit_tc(examples, 1.0, TrainConfig())
    tuned = fit_tc(examples, 1.0, TrainConfig(tc_offset_folds=3))
    assert np.allclose(plain["tc_bias"], tuned["tc_bias"])
    assert tuned["tc_classes"] == ["Loaded_Language", "Name_Calling,Labeling"]


def test_offsets_survive_a_technique_missing_from_a_training_fold() -> None:
    """A rare technique in one article only is absent from the inner folds that hold
    that article out: its offset is still chosen, not a crash."""
    pytest.importorskip("sklearn")
    examples = _examples(6)
    s, e, _ = examples[0].gold[1]
    examples[0].gold[1] = (s, e, "Slogans")
    tuned = fit_tc(examples, 1.0, TrainConfig(tc_offset_folds=3))
    assert tuned["tc_classes"] == ["Loaded_Language", "Name_Calling,Labeling", "Slogans"]
    assert tuned["tc_bias"].shape == (3,) and np.isfinite(tuned["tc_bias"]).all()


def test_a_two_technique_model_still_tells_them_apart() -> None:
    """scikit-learn keeps one logit for two classes; the exported model keeps both."""
    pytest.importorskip("sklearn")
    examples = _examples(4)
    model = technique_model(fit_tc(examples, 1.0, TrainConfig()))
    assert model.weights.shape[1] == 2
    ex = examples[0]
    picks = model.classify(ex.tok, [(s, e) for s, e, _ in ex.gold])
    assert [model.classes[k] for k, _, _ in picks] == [t for _, _, t in ex.gold]
    assert all(p > 0.5 for _, p, _ in picks)


@pytest.fixture()
def tc_cv(monkeypatch):
    """``benchmarks/tc_cv.py`` as a module (it imports ``cross_validation`` beside it)."""
    bench = Path(__file__).resolve().parents[2] / "benchmarks"
    monkeypatch.syspath_prepend(str(bench))
    spec = importlib.util.spec_from_file_location("tc_cv", bench / "tc_cv.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tc_bench_variants_name_the_recipe_and_refuse_typos(tc_cv) -> None:
    assert tc_cv.variant("base") == (3.0, {}, True)
    assert tc_cv.variant("C1+position+in_title+sqrt+argmax") == (
        1.0, {"tc_class_weight": "sqrt", "tc_features": "position,in_title"}, False)
    assert tc_cv.variant("C0.3+offsets")[:2] == (0.3, {"tc_offset_folds": 3})
    for bad in ("C", "Cx", "postion", "base+"):
        with pytest.raises(ValueError, match="unknown variant part"):
            tc_cv.variant(bad)


def test_tc_bench_scores_a_repeated_gold_span_once_per_technique(tc_cv) -> None:
    pytest.importorskip("sklearn")
    examples = _examples(4)
    tc = fit_tc(examples, 1.0, TrainConfig())
    held = _examples(1)
    s, e, _ = held[0].gold[1]
    held[0].gold.append((s, e, "Name_Calling,Labeling"))  # the span's second technique
    ranked, per = tc_cv.tc_scores(tc, held, rank=True)
    same, _ = tc_cv.tc_scores(tc, held, rank=False)
    assert ranked == pytest.approx(1.0) and same == pytest.approx(0.75)
    assert per == pytest.approx({"Loaded_Language": 1.0, "Name_Calling,Labeling": 1.0})
