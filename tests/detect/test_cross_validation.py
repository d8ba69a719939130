"""The cross-validation protocol of ``benchmarks/cross_validation.py`` (issue 11)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from propscope.detect.fast.train import TrainConfig, train
from propscope.model import Document, Span
from propscope.semeval.corpus import dev_split

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cv():
    spec = importlib.util.spec_from_file_location(
        "cross_validation", REPO / "benchmarks" / "cross_validation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["cross_validation"] = module
    spec.loader.exec_module(module)
    return module


def test_folds_partition_the_articles_and_fold_4_is_the_dev_split(cv) -> None:
    ids = [str(n) for n in (7, 111, 12, 3, 999, 45, 46, 200, 8, 9, 10, 1000)]
    folds = cv.fold_ids(ids, 5)
    flat = [a for fold in folds for a in fold]
    assert sorted(flat) == sorted(ids) and len(flat) == len(set(flat))
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    assert folds[4] == dev_split(ids)[1]  # numeric order, index % 5 == 4


def test_fixed_settings_skip_the_inner_tuning(ptc_dir: Path) -> None:
    pytest.importorskip("sklearn")
    settings = {"span_threshold": 0.2, "tc_c": 3.0, "second_threshold": 0.5}
    model = train(ptc_dir, "dev", TrainConfig(max_iterations=5, max_articles=6),
                  log=lambda _: None, settings=settings)
    assert (model.span_threshold, model.second_threshold) == (0.2, 0.5)
    assert model.meta["config"]["tc_c"] == 3.0 and model.meta["cv"] is None


class _Counting:
    """A stand-in detector that counts its (slow) calls."""

    name, version = "stub", "1"

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, docs):
        self.calls += len(docs)
        return [[Span(0, 1, "Loaded_Language"), Span(5, 10, "Loaded_Language")] for _ in docs]

    def find_spans(self, text):
        self.calls += 1
        return [Span(0, 1), Span(5, 10)]


def test_the_clean_view_runs_the_detector_once_for_both_variants(cv) -> None:
    raw, cache = _Counting(), {}
    clean, plain = cv.CleanedView(raw, True, cache), cv.CleanedView(raw, False, cache)
    docs = [Document(text='" an awful lie')]
    assert [len(s) for s in plain.detect(docs)] == [2]
    assert [(s.start, s.end) for s in clean.detect(docs)[0]] == [(5, 10)]  # the lone quote dropped
    assert len(plain.find_spans(docs[0].text)) == 2 and len(clean.find_spans(docs[0].text)) == 1
    assert raw.calls == 2
