"""Self-training of the fast CRF: pseudo-labels from a real teacher, their cache, and
training on gold + pseudo articles (a few seconds on hand-written texts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from propscope.detect.fast import FastDetector
from propscope.detect.fast.model import FastModel
from propscope.detect.fast.selftrain import (
    PseudoArticle,
    UnlabeledText,
    pseudo_examples,
    pseudo_label,
    unlabeled_texts,
)
from propscope.detect.fast.train import TrainConfig, train
from propscope.errors import DataError
from propscope.model import Span

pytest.importorskip("sklearn", reason="training needs scikit-learn (the train/test extras)")

PROPAGANDA = ("Glory\n\nThe heroic people will crush the despicable imperialist aggressors! "
              "These traitors and thugs are evil liars.\n")
PLAIN = "Weather\n\nIt rained on Tuesday and the buses ran late.\n"


class Silent:
    """A teacher that finds nothing (and counts its calls)."""

    name, version = "silent", "1"

    def __init__(self) -> None:
        self.calls = 0

    def find_spans(self, text: str) -> list[Span]:
        self.calls += 1
        return []


class Refusing(Silent):
    """A teacher that must not be asked: everything should come from the cache."""

    def find_spans(self, text: str) -> list[Span]:
        raise AssertionError("the cache was not used")


@pytest.fixture(scope="module")
def fast() -> FastDetector:
    return FastDetector.load(lexicon=False)


def texts(*bodies: str) -> list[UnlabeledText]:
    return [UnlabeledText(f"t:{i}", body) for i, body in enumerate(bodies)]


def test_real_fast_teacher_labels_spans_inside_each_text(fast: FastDetector) -> None:
    got = pseudo_label(fast, texts(PROPAGANDA, PLAIN))
    assert [a.id for a in got] == ["t:0", "t:1"]
    assert got[0].spans, "the shipped CRF finds something in loaded language"
    for article in got:
        for start, end, score in article.spans:
            assert 0 <= start < end <= len(article.text)
            assert 0.0 < score <= 1.0
    words = {PROPAGANDA[a:b] for a, b, _ in got[0].spans}
    assert any("traitors" in w or "despicable" in w or "evil" in w for w in words), words


def test_cache_is_reused_per_teacher(fast: FastDetector, tmp_path: Path) -> None:
    cache = tmp_path / "pseudo.jsonl"
    first = pseudo_label(fast, texts(PROPAGANDA, PLAIN), cache)
    assert len(cache.read_text().splitlines()) == 2

    class SameIdAsFast(Refusing):
        name, version = fast.name, fast.version

        def config(self) -> dict[str, object]:
            return fast.config()

    # The same texts in another order come back from the cache, in the new order.
    again = pseudo_label(SameIdAsFast(), texts(PLAIN, PROPAGANDA), cache)
    assert [a.spans for a in again] == [first[1].spans, first[0].spans]
    # Another teacher's labels are not taken for this one's.
    silent = Silent()
    assert pseudo_label(silent, texts(PROPAGANDA), cache)[0].spans == ()
    assert silent.calls == 1
    teachers = {json.loads(line)["teacher"] for line in cache.read_text().splitlines()}
    assert len(teachers) == 2


def test_teacher_that_finds_nothing_gives_all_o_articles() -> None:
    got = pseudo_label(Silent(), texts(PROPAGANDA, PLAIN))
    assert [a.spans for a in got] == [(), ()]
    assert len(pseudo_examples(got)) == 2
    assert pseudo_examples(got, keep_empty=False) == []
    assert pseudo_label(Silent(), []) == []


def test_pseudo_examples_filter_by_score_and_limit() -> None:
    articles = [
        PseudoArticle("a", PROPAGANDA, ((8, 14, 0.9), (27, 32, 0.2))),
        PseudoArticle("b", PLAIN, ((9, 15, 0.1),)),
        PseudoArticle("c", "   \n", ()),
    ]
    examples = pseudo_examples(articles, min_score=0.5)
    assert [ex.id for ex in examples] == ["pseudo:a", "pseudo:b"]  # blank text dropped
    assert [(s, e) for s, e, _ in examples[0].gold] == [(8, 14)]
    assert examples[1].gold == []
    assert [ex.id for ex in pseudo_examples(articles, min_score=0.5, keep_empty=False)] == [
        "pseudo:a"]
    assert len(pseudo_examples(articles, limit=1)) == 1


def test_training_takes_pseudo_articles_for_the_crf_only(
    ptc_dir: Path, fast: FastDetector
) -> None:
    # A word only the pseudo article has (twice: the vocabulary's minimum count).
    text = "Zorblax\n\nThe zorblax traitors lie. The zorblax traitors steal.\n"
    extra = pseudo_examples(pseudo_label(fast, texts(text)))
    config = TrainConfig(folds=1, max_iterations=5)
    ids = ["111111111", "111111112"]
    plain = train(ptc_dir, ids=ids, config=config, log=lambda _: None)
    model = train(ptc_dir, ids=ids, config=config, log=lambda _: None, extra=extra)
    assert isinstance(model, FastModel)
    assert model.meta["trained_on"] == {"split": "dev", "articles": 2, "pseudo_articles": 1}
    assert "zorblax" in model.span_vocab["words"] and "zorblax" not in plain.span_vocab["words"]
    # The technique model learns from gold spans alone: the same with or without.
    assert model.tc_classes == plain.tc_classes
    assert (model.tc_weights == plain.tc_weights).all()
    # The model runs on the text it learned from, its spans inside it.
    found = FastDetector(model, lexicon=False).find_spans(text)
    assert all(0 <= s.start < s.end <= len(text) and 0.0 < s.score <= 1.0 for s in found)


def test_unlabeled_texts_sample_is_deterministic(shared_data: Path) -> None:
    one = unlabeled_texts(shared_data, openwebtext=3, kcna=2, tehran=2)
    two = unlabeled_texts(shared_data / "ptc", openwebtext=3, kcna=2, tehran=2)
    assert [t.id for t in one] == [t.id for t in two]
    assert [t.id.split(":")[0] for t in one] == ["openwebtext"] * 3 + ["kcna"] * 2 + ["tehran"] * 2
    assert all(t.text.strip() for t in one)


def test_unlabeled_texts_missing_folder_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError):
        unlabeled_texts(tmp_path)
    with pytest.raises(DataError):
        unlabeled_texts(tmp_path, openwebtext=0, kcna=1)
    assert unlabeled_texts(tmp_path, openwebtext=0) == []


def test_self_training_bench_caches_students_of_other_fold_counts_apart(monkeypatch) -> None:
    """benchmarks/self_training.py reuses a cached student by its file name: fold 0 of
    3 folds holds out other articles than fold 0 of 5, so their names must differ."""
    import argparse
    import importlib.util

    bench = Path(__file__).resolve().parents[2] / "benchmarks"
    monkeypatch.syspath_prepend(str(bench))
    spec = importlib.util.spec_from_file_location("self_training", bench / "self_training.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    args = argparse.Namespace(openwebtext=400, kcna=0, tehran=0, min_score=0.0, limit=0, folds=5)
    five = module.student_path(Path("m"), "self", args, 0)
    three = module.student_path(Path("m"), "self", argparse.Namespace(**{**vars(args), "folds": 3}), 0)
    assert five != three
    assert five != module.student_path(Path("m"), "self", args, 1)
    assert five != module.student_path(Path("m"), "neural", args, 0)
