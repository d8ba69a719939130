"""A training smoke test on a handful of PTC articles (seconds, not minutes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.cli.app import main
from propscope.detect.base import detector_id
from propscope.detect.fast import FastDetector
from propscope.detect.fast.model import FastModel
from propscope.detect.fast.spans import TAGS, marginals
from propscope.detect.fast.tokenmodel import build_vocab, crf_attributes, token_inputs
from propscope.detect.fast.train import (
    TrainConfig,
    bio_tags,
    export_tables,
    prepare,
    train,
    train_crfsuite,
)
from propscope.model import AnalysedDocument, Document
from propscope.semeval.corpus import load_corpus

pytest.importorskip("sklearn", reason="training needs scikit-learn (the train/test extras)")

TEXTS = [
    ("Traitors everywhere\n\nThe corrupt thugs lie. The corrupt thugs steal.\n",
     [("Loaded_Language", "corrupt thugs"), ("Name_Calling,Labeling", "Traitors")]),
    ("A calm day\n\nThe mayor opened a library. Everyone knows the nation must unite!\n",
     [("Flag-Waving", "the nation must unite"), ("Bandwagon,Reductio_ad_hitlerum",
                                                 "Everyone knows")]),
    ("Rain\n\nIt rained on Tuesday and the buses ran late.\n", []),
]


@pytest.fixture()
def tiny_ptc_for_train(tmp_path: Path) -> Path:
    """Three hand-written articles with TC labels, laid out like ptc/."""
    root = tmp_path / "ptc"
    (root / "articles").mkdir(parents=True)
    (root / "labels-tc").mkdir()
    for number, (text, spans) in enumerate(TEXTS, 1):
        (root / "articles" / f"article{number}.txt").write_text(text)
        lines = [f"{number}\t{t}\t{text.index(q)}\t{text.index(q) + len(q)}\n"
                 for t, q in spans]
        (root / "labels-tc" / f"article{number}.labels").write_text("".join(lines))
    return root


def test_bio_tags_mark_span_starts() -> None:
    tokens = [(0, 3), (4, 8), (9, 12), (13, 15), (16, 20)]
    assert bio_tags(tokens, [(4, 12), (16, 18)]) == ["O", "B", "I", "O", "B"]


def test_tiny_training_round_trips(ptc_dir: Path, tmp_path: Path) -> None:
    config = TrainConfig(folds=2, max_iterations=5, max_articles=8)
    model = train(ptc_dir, "dev", config, log=lambda _: None)
    path = tmp_path / "tiny.npz"
    model.save(path)
    loaded = FastModel.load(path)
    assert loaded.meta["trained_on"] == {"split": "dev", "articles": 8}
    assert loaded.tc_classes == model.tc_classes
    assert loaded.span_vocab == model.span_vocab
    # tables are stored as float16: equal to that precision
    assert abs(loaded.span_tables - model.span_tables).max() < 1e-2
    detector = FastDetector(loaded)
    doc = Document.from_raw((ptc_dir / "articles" / "article111111111.txt").read_text())
    AnalysedDocument(doc, detector.detect([doc])[0], detector_id(detector))


def test_train_command_dispatches_and_rejects_bad_options(
    tiny_ptc_for_train: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.npz"
    assert main(["train", "--engine", "nope", "-o", str(out)]) == 2
    assert "unknown training engine" in capsys.readouterr().err
    assert main(["train", "--data", str(tiny_ptc_for_train), "--split", "all",
                 "-o", str(out), "--bogus", "1"]) == 2
    assert "unknown fast option 'bogus'" in capsys.readouterr().err
    assert main(["train", "--data", str(tiny_ptc_for_train), "-o", str(out),
                 "--folds", "two"]) == 2
    assert "PS302" in capsys.readouterr().err
    assert main(["train", "--data", str(tiny_ptc_for_train), "--split", "all", "-o", str(out),
                 "--folds", "1", "--max-iterations", "3"]) == 0
    assert FastModel.load(out).meta["config"]["max_iterations"] == 3


def test_numpy_forward_backward_matches_crfsuite(
    tiny_ptc_for_train: Path, tmp_path: Path
) -> None:
    """The exported tables and numpy marginals reproduce crfsuite's own marginals."""
    pycrfsuite = pytest.importorskip("pycrfsuite")
    examples = [prepare(a) for a in load_corpus(tiny_ptc_for_train)]
    vocab = build_vocab([ex.tok for ex in examples], min_count=1, min_pair=1)
    path = tmp_path / "tiny.crf"
    train_crfsuite(examples, vocab, TrainConfig(max_iterations=20, c1=0.0), path)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    tables = export_tables(tagger.info(), vocab)
    for ex in examples:
        inputs = token_inputs(ex.tok, vocab)
        ours = marginals(inputs, tables)
        row = 0
        for attrs in crf_attributes(inputs):
            tagger.set(attrs)
            for i in range(len(attrs)):
                theirs = [tagger.marginal(tag, i) for tag in TAGS]
                assert ours[row] == pytest.approx(theirs, abs=1e-4)
                row += 1
        assert row == len(inputs)
