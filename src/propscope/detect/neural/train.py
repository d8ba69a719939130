"""Training the neural detector: ``propscope train --engine neural``.

One process can try several recipes (and seeds): each candidate is trained on the
*inner-train* part of the training articles and judged on the *inner-validation* part
(every sixth training article), where the decoding threshold and the runner-up
technique threshold are calibrated too.  The best candidate's recipe is then trained
on all training articles and shipped with those calibrated settings.  The dev split
(:func:`propscope.semeval.corpus.dev_split`) is only ever *reported*, never used to
choose anything.

Reproducible: a fixed seed seeds Python, numpy and torch, and the batches are drawn
from a seeded generator.  The same command runs on CPU (``--device cpu``) or CUDA.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from propscope.detect.fast import FastDetector
from propscope.detect.fast.techniques import rank_techniques
from propscope.detect.neural.blend import blended_inside
from propscope.detect.neural.data import LabelledDoc, TrainWindow, doc_windows, load_labelled
from propscope.detect.neural.distill import SoftText, load_soft_labels, soft_windows
from propscope.detect.neural.model import NeuralTagger, encoder_dir, load_encoder, pool_spans
from propscope.detect.neural.predict import Encoded, Pipeline, Settings, technique_picks
from propscope.detect.neural.torch_runtime import TorchEngine
from propscope.detect.neural.windows import load_tokenizer
from propscope.errors import TrainingError
from propscope.semeval.corpus import resolve_ptc_dir, split_ids
from propscope.semeval.formats import Label
from propscope.semeval.scorer import score_si, score_spans, score_tc

INNER_VAL_EVERY = 6  # every sixth training article (by sorted id) is inner validation
THRESHOLDS = tuple(round(0.2 + 0.05 * i, 2) for i in range(11))  # 0.20 … 0.70
SECOND_THRESHOLDS = (0.15, 0.25, 0.35, 0.5, 1.01)

Log = Callable[[str], None]


@dataclass(slots=True)
class Recipe:
    """Everything that decides the trained weights, stored in the model card."""

    epochs: int = 8
    batch_size: int = 16
    lr: float = 6e-5
    head_lr: float = 6e-4
    warmup: float = 0.1
    weight_decay: float = 0.01
    tech_weight: float = 0.5  # per-technique token channels, beside the "any" channel
    span_weight: float = 1.0  # span classifier loss
    max_tokens: int = 256
    overlap: int = 48
    dropout: float = 0.1
    seed: int = 13
    # Distillation (propscope.detect.neural.distill): the weight of the token BCE to a
    # teacher's soft labels on unlabeled windows, one such batch beside each gold one.
    distill_weight: float = 0.0


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def inner_split(ids: Sequence[str]) -> tuple[list[str], list[str]]:
    """``(inner train, inner validation)`` of the training ids."""
    ordered = sorted(ids, key=int)
    val = [a for i, a in enumerate(ordered) if i % INNER_VAL_EVERY == INNER_VAL_EVERY - 1]
    train = [a for i, a in enumerate(ordered) if i % INNER_VAL_EVERY != INNER_VAL_EVERY - 1]
    return train, val


def make_batches(
    windows: Sequence[TrainWindow], batch_size: int, rng: np.random.Generator
) -> list[list[int]]:
    """Shuffled batches of similar length (dynamic padding wastes little)."""
    order = rng.permutation(len(windows)).tolist()
    pool = batch_size * 32
    batches: list[list[int]] = []
    for p in range(0, len(order), pool):
        chunk = sorted(order[p : p + pool], key=lambda i: len(windows[i].ids))
        batches.extend(chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def collate(items: Sequence[TrainWindow], device: torch.device) -> dict[str, Any]:
    """Pad a batch: ids, mask, per-token targets and validity, and the gold spans."""
    length = max(len(w.ids) for w in items)
    n_ch = items[0].targets.shape[1]
    ids = np.zeros((len(items), length), dtype=np.int64)
    mask = np.zeros((len(items), length), dtype=np.int64)
    targets = np.zeros((len(items), length, n_ch), dtype=np.float32)
    valid = np.zeros((len(items), length), dtype=np.float32)
    spans, feats, labels = [], [], []
    for row, w in enumerate(items):
        n = len(w.ids)
        ids[row, :n] = w.ids
        mask[row, :n] = 1
        targets[row, 1 : n - 1] = w.targets
        valid[row, 1 : n - 1] = 1.0
        for r0, r1, cls, f in w.spans:
            spans.append((row, r0, r1))
            feats.append(f)
            labels.append(cls)
    out: dict[str, Any] = {
        "ids": torch.from_numpy(ids).to(device),
        "mask": torch.from_numpy(mask).to(device),
        "targets": torch.from_numpy(targets).to(device),
        "valid": torch.from_numpy(valid).to(device),
        "spans": spans,
    }
    if spans:
        out["feats"] = torch.from_numpy(np.stack(feats)).to(device)
        out["labels"] = torch.tensor(labels, dtype=torch.long, device=device)
    return out


def token_loss(logits: torch.Tensor, batch: dict[str, Any], recipe: Recipe) -> torch.Tensor:
    """BCE on the "any" channel + weighted BCE on the technique channels, over the
    window's own tokens.  The targets may be soft (a teacher's probabilities): BCE to
    a probability is the Bernoulli KL divergence plus a constant, the distillation loss."""
    bce = nn.functional.binary_cross_entropy_with_logits(
        logits.float(), batch["targets"], reduction="none"
    )
    valid = batch["valid"]
    denom = valid.sum().clamp(min=1.0)
    loss_any = (bce[..., 0] * valid).sum() / denom
    loss_tech = (bce[..., 1:].mean(-1) * valid).sum() / denom
    return loss_any + recipe.tech_weight * loss_tech


def batch_loss(model: NeuralTagger, batch: dict[str, Any], recipe: Recipe) -> torch.Tensor:
    """:func:`token_loss` + span CE on the batch's gold spans."""
    logits, hidden = model(batch["ids"], batch["mask"])
    loss = token_loss(logits, batch, recipe)
    if batch["spans"]:
        pooled = pool_spans(hidden.float(), batch["spans"], batch["feats"])
        span_logits = model.span_head(pooled)
        loss = loss + recipe.span_weight * nn.functional.cross_entropy(
            span_logits.float(), batch["labels"]
        )
    return loss


def train_model(
    recipe: Recipe,
    docs: Sequence[LabelledDoc],
    tokenizer_path: str,
    device: torch.device,
    encoder: str | Path | None = None,
    max_steps: int | None = None,
    log: Log = print,
    soft: Sequence[SoftText] = (),
) -> tuple[NeuralTagger, dict[str, float]]:
    """Fine-tune the encoder and both heads on ``docs``; returns the model and timing.

    With ``soft`` texts (a teacher's soft labels) and ``recipe.distill_weight`` > 0,
    every step adds that weight × :func:`token_loss` on a batch of their windows."""
    seed_everything(recipe.seed)
    tokenizer = load_tokenizer(tokenizer_path)
    windows = [
        w for d in docs for w in doc_windows(tokenizer, d, recipe.max_tokens, recipe.overlap)
    ]
    distilled = soft_windows(tokenizer, soft, recipe.max_tokens, recipe.overlap) if (
        soft and recipe.distill_weight > 0) else []
    attention = "sdpa" if device.type == "cuda" else "eager"
    model = NeuralTagger(load_encoder(encoder, attention), recipe.dropout).to(device)
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    no_decay = ("bias", "LayerNorm.weight", "LayerNorm.bias")
    enc_decay = [
        p for n, p in model.encoder.named_parameters() if not any(k in n for k in no_decay)
    ]
    enc_plain = [p for n, p in model.encoder.named_parameters() if any(k in n for k in no_decay)]
    optimiser = torch.optim.AdamW(
        [
            {"params": enc_decay, "lr": recipe.lr, "weight_decay": recipe.weight_decay},
            {"params": enc_plain, "lr": recipe.lr, "weight_decay": 0.0},
            {"params": heads, "lr": recipe.head_lr, "weight_decay": recipe.weight_decay},
        ],
        fused=True,
    )
    rng = np.random.default_rng(recipe.seed)
    per_epoch = math.ceil(len(windows) / recipe.batch_size)
    total = per_epoch * recipe.epochs if max_steps is None else min(max_steps, per_epoch * recipe.epochs)
    warm = max(1, int(total * recipe.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))),
    )
    log(f"train: {len(docs)} articles, {len(windows)} windows, {total} steps on {device}"
        + (f", {len(distilled)} soft windows" if distilled else ""))
    soft_batches = _cycle_batches(distilled, recipe.batch_size, rng)
    step, started = 0, time.perf_counter()
    model.train()
    for epoch in range(recipe.epochs):
        running = 0.0
        for idx in make_batches(windows, recipe.batch_size, rng):
            if step >= total:
                break
            batch = collate([windows[i] for i in idx], device)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda"):
                loss = batch_loss(model, batch, recipe)
                if distilled:
                    soft_batch = collate([distilled[i] for i in next(soft_batches)], device)
                    soft_logits, _ = model(soft_batch["ids"], soft_batch["mask"])
                    loss = loss + recipe.distill_weight * token_loss(soft_logits, soft_batch,
                                                                     recipe)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            running += float(loss.detach())
            step += 1
        log(f"  epoch {epoch + 1}: mean loss {running / max(1, per_epoch):.4f} ({step} steps)")
        if step >= total:
            break
    seconds = time.perf_counter() - started
    model.eval()
    return model, {"steps": step, "seconds": seconds, "seconds_per_step": seconds / max(1, step)}


def _cycle_batches(
    windows: Sequence[TrainWindow], batch_size: int, rng: np.random.Generator
) -> Iterator[list[int]]:
    """Batches of ``windows`` for ever, reshuffled at each pass (soft windows outnumber
    or undercount the gold ones, whose epochs set the pace)."""
    while windows:
        yield from make_batches(windows, batch_size, rng)


def labels_of(docs: Sequence[LabelledDoc], with_technique: bool = True) -> list[Label]:
    return [
        Label(d.id, s, e, t if with_technique else None) for d in docs for s, e, t in d.spans
    ]


def encode_docs(pipeline: Pipeline, docs: Sequence[LabelledDoc]) -> list[Encoded]:
    return pipeline.encode([d.document.text for d in docs])


def predict_spans(
    pipeline: Pipeline, encs: Sequence[Encoded], docs: Sequence[LabelledDoc], settings: Settings
) -> tuple[list[Label], list[Label]]:
    """``(SI labels, technique labels)`` the pipeline finds under ``settings``."""
    old, pipeline.settings = pipeline.settings, settings
    si: list[Label] = []
    spans: list[Label] = []
    try:
        for d, enc in zip(docs, encs):
            found = pipeline.find_spans(enc)
            si.extend(Label(d.id, a, b) for a, b, _ in found)
            if not found:
                continue
            probs = pipeline.classify(enc, [(a, b) for a, b, _ in found])
            for (a, b, _), p in zip(found, probs):
                spans.extend(Label(d.id, a, b, settings.techniques[k])
                             for k in technique_picks(p, settings.second_threshold))
    finally:
        pipeline.settings = old
    return si, spans


def tc_predictions(
    pipeline: Pipeline, encs: Sequence[Encoded], docs: Sequence[LabelledDoc]
) -> list[Label]:
    """Techniques for the gold spans, as ``semeval tc`` would write them."""
    out: list[Label] = []
    for d, enc in zip(docs, encs):
        pairs = [(s, e) for s, e, _ in d.spans]
        if not pairs:
            continue
        names = rank_techniques(pipeline.classify(enc, pairs), pairs, pipeline.settings.techniques)
        out.extend(Label(d.id, s, e, t) for (s, e), t in zip(pairs, names))
    return out


def evaluate(
    pipeline: Pipeline, docs: Sequence[LabelledDoc], settings: Settings
) -> dict[str, float]:
    """SI, TC and technique-aware span scores of ``docs`` under ``settings``."""
    encs = encode_docs(pipeline, docs)
    si, spans = predict_spans(pipeline, encs, docs, settings)
    si_r = score_si(labels_of(docs, False), si).overall
    sp_r = score_spans(labels_of(docs), spans).overall
    tc_r = score_tc(labels_of(docs), tc_predictions(pipeline, encs, docs)).overall
    return {
        "si_p": si_r.precision, "si_r": si_r.recall, "si_f1": si_r.f1,
        "tc_f1": tc_r.f1, "spans_f1": sp_r.f1,
    }


def si_labels(
    pipeline: Pipeline, encs: Sequence[Encoded], docs: Sequence[LabelledDoc],
    threshold: float, max_gap: int, inside: Sequence[np.ndarray] | None = None,
) -> list[Label]:
    """SI spans at one threshold and gap, from the encoder's "any" score or from
    ``inside`` (one blended score array per document)."""
    return [
        Label(d.id, a, b)
        for k, (d, e) in enumerate(zip(docs, encs))
        for a, b, _ in pipeline.find_spans(
            e, threshold, max_gap=max_gap, inside=None if inside is None else inside[k]
        )
    ]


def best_si_decoding(
    pipeline: Pipeline, encs: Sequence[Encoded], docs: Sequence[LabelledDoc],
    inside: Sequence[np.ndarray] | None = None,
) -> tuple[float, float, int]:
    """``(SI F1, threshold, gap)``: the decoding that maximises SI F1 on ``docs``
    over :data:`THRESHOLDS` and gaps 0 to 2 (the first best wins ties)."""
    gold = labels_of(docs, False)
    best = (-1.0, THRESHOLDS[0], 0)
    for thr in THRESHOLDS:
        for gap in (0, 1, 2):
            si = si_labels(pipeline, encs, docs, thr, gap, inside)
            f1 = score_si(gold, si).overall.f1
            if f1 > best[0]:
                best = (f1, thr, gap)
    return best


def calibrate(
    pipeline: Pipeline, docs: Sequence[LabelledDoc], base: Settings
) -> tuple[Settings, dict[str, float]]:
    """The decoding threshold that maximises SI F1 on ``docs`` (held-out training
    articles), then the runner-up threshold that maximises span F1."""
    encs = encode_docs(pipeline, docs)
    gold_si, gold = labels_of(docs, False), labels_of(docs)
    _, thr, gap = best_si_decoding(pipeline, encs, docs)
    settings = replace(base, threshold=thr, max_gap=gap, second_threshold=1.01)
    best_sp = (-1.0, settings)
    for second in SECOND_THRESHOLDS:
        cand = replace(settings, second_threshold=second)
        _, spans = predict_spans(pipeline, encs, docs, cand)
        f1 = score_spans(gold, spans).overall.f1
        if f1 > best_sp[0]:
            best_sp = (f1, cand)
    settings = best_sp[1]
    si, spans = predict_spans(pipeline, encs, docs, settings)
    si_r = score_si(gold_si, si).overall
    tc_r = score_tc(gold, tc_predictions(pipeline, encs, docs)).overall
    metrics = {
        "si_p": si_r.precision, "si_r": si_r.recall, "si_f1": si_r.f1,
        "tc_f1": tc_r.f1, "spans_f1": best_sp[0],
        "threshold": settings.threshold, "max_gap": settings.max_gap,
        "second_threshold": settings.second_threshold,
    }
    return settings, metrics


DISTILL_WEIGHT = 0.5  # a teacher's share of the loss with --soft-labels: fixed, not tuned
CRF_WEIGHT = 0.5  # the fast CRF's share in the blended span score: fixed, never tuned


def calibrate_crf_blend(
    pipeline: Pipeline, encs: Sequence[Encoded], docs: Sequence[LabelledDoc],
    fast: FastDetector, settings: Settings, weight: float = CRF_WEIGHT,
) -> tuple[Settings, float]:
    """The threshold and gap that maximise SI F1 on ``docs`` (held-out training
    articles that neither the encoder nor ``fast`` saw) for spans found from the
    average of the encoder's "any" score and the CRF's ``P(inside)``."""
    inside = [blended_inside(e, fast, weight) for e in encs]
    f1, thr, gap = best_si_decoding(pipeline, encs, docs, inside)
    return replace(settings, crf_weight=weight, crf_threshold=thr, crf_max_gap=gap), f1


def add_crf_blend(
    model_dir: str | Path, data: str | Path | None, *, fast_path: str | Path | None = None,
    limit: int | None = None, log: Log = print,
) -> dict[str, float]:
    """Give an exported model (trained with ``refit=False``, so the inner validation
    articles are unseen) a calibrated encoder-CRF span blend: train the fast CRF on the
    inner split (or load ``fast_path``, trained on it), calibrate on inner validation
    with the ONNX model as shipped, and write the settings into ``neural-v1.json``."""
    from propscope.detect.fast.train import TrainConfig
    from propscope.detect.fast.train import train as train_fast
    from propscope.detect.neural.runtime import MODEL_NAME, NeuralDetector

    ptc = resolve_ptc_dir(data)
    inner_ids, val_ids = inner_split(split_ids(ptc, "train")[:limit])
    t0 = time.perf_counter()
    if fast_path:
        fast = FastDetector.load(fast_path, lexicon=False)
    else:
        fast = FastDetector(train_fast(ptc, config=TrainConfig(folds=1), ids=inner_ids,
                                       log=log), lexicon=False)
    fast_seconds = time.perf_counter() - t0
    val_docs = load_labelled(ptc, val_ids)
    pipe = NeuralDetector.load(model_dir, lexicon=False, blend=False).pipeline
    settings, f1 = calibrate_crf_blend(
        pipe, encode_docs(pipe, val_docs), val_docs, fast, pipe.settings
    )
    meta_path = Path(model_dir) / MODEL_NAME
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["settings"] = settings.to_dict()
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    result = {"inner_val_si_f1": f1, "crf_weight": settings.crf_weight,
              "crf_threshold": settings.crf_threshold, "crf_max_gap": settings.crf_max_gap,
              "crf_train_seconds": fast_seconds,
              "seconds": time.perf_counter() - t0}
    log(f"crf blend: {json.dumps(_rounded(result))}")
    report_path = Path(model_dir) / "neural-v1.train.json"
    if report_path.is_file():  # the training run's report records the blend too
        report = json.loads(report_path.read_text(encoding="utf-8"))
        report["crf_blend"] = result
        report_path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return result


def save_weights(model: NeuralTagger, path: Path, half: bool = False) -> None:
    """The trained weights as safetensors (fp16 when ``half``, to travel light)."""
    from safetensors.torch import save_file

    state = {
        k: (v.half() if half and v.is_floating_point() else v).contiguous().cpu()
        for k, v in model.state_dict().items()
    }
    save_file(state, str(path), metadata={"format": "pt"})


def parse_sweep(text: str | None) -> list[dict[str, Any]]:
    if not text:
        return [{}]
    data = json.loads(text)
    if isinstance(data, dict):
        data = [data]
    fields = set(Recipe.__dataclass_fields__)
    for item in data:
        unknown = set(item) - fields
        if unknown:
            raise ValueError(f"unknown recipe fields in --sweep: {sorted(unknown)}")
    return data


_TRUE, _FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


def parse_bool(name: str, value: str) -> bool:
    """``true``/``yes``/``1``/``on`` or ``false``/``no``/``0``/``off`` (any case); anything
    else is refused: ``--half maybe`` once meant False and ``--export maybe`` True."""
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise TrainingError(f"--{name.replace('_', '-')} takes true or false, not {value!r}")


@dataclass(frozen=True, slots=True)
class TrainOptions:
    """Every option of a neural training run, checked once where it is made; the rest
    of the trainer reads this object only (trafilatura's pattern: many keyword options,
    one options object).  :meth:`from_strings` is the one parser of the CLI's
    ``--key value`` strings, so a flag means the same from every entry point."""

    device: str = "auto"  # cpu, cuda or auto
    split: str = "train"  # train (report dev) or all
    sweep: str | None = None  # JSON: recipe overrides, one candidate each
    epochs: int | None = None
    seed: int = 13
    max_steps: int | None = None  # a smoke run's cap
    encoder: str | None = None  # folder of the pre-trained encoder
    export: bool = True  # write the ONNX model
    report_dev: bool = True  # score the dev split (split=train)
    half: bool = False  # fp16 safetensors
    limit: int | None = None  # first N articles of each split (smoke runs)
    time_budget: float | None = None  # seconds: stop the sweep in time
    refit: bool = True  # train the winner again on every training article
    crf_blend: bool = False  # calibrate the encoder-CRF span blend (refit=False, export)
    soft_labels: str | None = None  # folder of a teacher's soft labels (distill.label_texts)
    distill_weight: float | None = None  # their loss weight (Recipe.distill_weight; 0.5)

    def __post_init__(self) -> None:
        if self.split not in ("train", "all"):
            raise TrainingError(f"split must be train or all, not {self.split!r}")
        if self.crf_blend and (self.refit or not self.export):
            raise TrainingError("crf_blend needs refit=False and export: it is calibrated "
                                "on inner-validation articles the shipped model never saw")
        if self.distill_weight is not None and self.distill_weight < 0:
            raise TrainingError(f"--distill-weight must be 0 or more, not {self.distill_weight}")
        if self.distill_weight and not self.soft_labels:
            raise TrainingError("--distill-weight needs --soft-labels DIR (a teacher's labels)")
        for name in ("epochs", "max_steps", "limit", "time_budget"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise TrainingError(f"--{name.replace('_', '-')} must be positive, not {value}")

    @classmethod
    def from_strings(cls, options: dict[str, str]) -> TrainOptions:
        """Options from ``--key value`` strings (keys with ``_``), each parsed by its
        field's type; an unknown key or a value of the wrong type is a TrainingError."""
        types = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for key, raw in options.items():
            if key not in types:
                raise TrainingError(
                    f"unknown option --{key.replace('_', '-')} for --engine neural; known: "
                    + ", ".join("--" + k.replace("_", "-") for k in types))
            kind = next(t for t in typing.get_args(types[key]) or (types[key],)
                        if t is not type(None))
            if kind is bool:
                values[key] = parse_bool(key, raw)
                continue
            try:
                values[key] = kind(raw)
            except ValueError as exc:
                what = {int: "a whole number", float: "a number"}.get(kind, kind.__name__)
                raise TrainingError(f"--{key.replace('_', '-')} takes {what}, not {raw!r}") from exc
        return cls(**values)


def train(
    data: str | Path | None = None,
    out: str | Path = "build/neural",
    options: TrainOptions | None = None,
    *,
    log: Log = print,
) -> dict[str, Any]:
    """Train, calibrate, (optionally) export: the whole recipe behind
    ``propscope train --engine neural`` (see :func:`train_cli`).  Returns what the model card reports.

    ``options`` (:class:`TrainOptions`): ``time_budget`` (seconds) stops trying further candidates when the next one and
    the final training would not fit; the best candidate so far is saved as it goes,
    so a run cut short still leaves usable weights.

    ``refit=False`` ships the best candidate as trained on the inner split (the
    training articles less every sixth) instead of training it again on all of them:
    half the time, which is what lets the CPU recipe finish inside two hours on two
    cores, at the price of a sixth of the training data.  ``crf_blend`` (needs
    ``refit=False`` and ``export``) then calibrates the encoder-CRF span blend on those
    unseen articles (:func:`add_crf_blend`)."""
    o = options or TrainOptions()
    started = time.perf_counter()
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    dev_ = pick_device(o.device)
    if dev_.type == "cpu":
        torch.set_num_threads(max(1, min(torch.get_num_threads(), 2)))
    ptc = resolve_ptc_dir(data)
    enc_dir = Path(o.encoder) if o.encoder else encoder_dir()
    tokenizer_path = str(enc_dir / "tokenizer.json")
    base = Recipe(seed=o.seed)
    if o.epochs is not None:
        base = replace(base, epochs=o.epochs)
    soft: list[SoftText] = []
    if o.soft_labels:
        soft = load_soft_labels(o.soft_labels, tokenizer_path)
        weight = DISTILL_WEIGHT if o.distill_weight is None else o.distill_weight
        base = replace(base, distill_weight=weight)
        log(f"distillation: {len(soft)} soft-labelled texts, weight {weight}")
    candidates = [replace(base, **c) for c in parse_sweep(o.sweep)]
    if not soft and any(r.distill_weight > 0 for r in candidates):
        # else train_model has no soft windows and the weight is silently ignored
        raise TrainingError("a --sweep distill_weight needs --soft-labels DIR (a teacher's "
                            "labels)")
    train_ids = split_ids(ptc, o.split)[:o.limit]
    inner_ids, val_ids = inner_split(train_ids)
    inner_docs, val_docs = load_labelled(ptc, inner_ids), load_labelled(ptc, val_ids)
    tokenizer = load_tokenizer(tokenizer_path)
    report: dict[str, Any] = {"candidates": [], "device": str(dev_), "split": o.split}
    best: tuple[float, Recipe, Settings] | None = None
    best_model: NeuralTagger | None = None
    best_timing: dict[str, float] = {}
    if val_docs and (len(candidates) > 1 or o.max_steps is None):
        for n, recipe in enumerate(candidates):
            spent = time.perf_counter() - started
            slowest = max((c["candidate_seconds"] for c in report["candidates"]), default=0.0)
            if o.time_budget and n and spent + slowest * 2.6 > o.time_budget:
                log(f"time budget: stopping the sweep after {n} candidates ({spent:.0f} s)")
                break
            t0 = time.perf_counter()
            model, timing = train_model(
                recipe, inner_docs, tokenizer_path, dev_, enc_dir, o.max_steps, log, soft
            )
            pipe = Pipeline(TorchEngine(model, dev_), tokenizer, Settings(
                max_tokens=recipe.max_tokens, overlap=recipe.overlap,
                batch_size=64 if dev_.type == "cuda" else 16,
            ))
            settings, metrics = calibrate(pipe, val_docs, pipe.settings)
            settings = replace(settings, batch_size=Settings().batch_size)  # CPU default
            log(f"candidate {asdict(recipe)}: inner-val {json.dumps(_rounded(metrics))}")
            timing["candidate_seconds"] = time.perf_counter() - t0
            report["candidates"].append({"recipe": asdict(recipe), "inner_val": metrics, **timing})
            key = metrics["si_f1"] + metrics["tc_f1"]
            if best is None or key > best[0]:
                best = (key, recipe, settings)
                save_weights(model, out_dir / "neural-v1.safetensors", half=o.half)
                report.update({"recipe": asdict(recipe), "settings": settings.to_dict()})
                _write_report(out_dir, report)
                if not o.refit:
                    best_model, best_timing = model, timing
            del model, pipe
            if dev_.type == "cuda":
                torch.cuda.empty_cache()
    if best is None:  # a smoke run: no calibration, default settings
        recipe = candidates[0]
        settings = Settings(max_tokens=recipe.max_tokens, overlap=recipe.overlap)
    else:
        _, recipe, settings = best
    if best_model is not None:  # refit=False: the calibrated candidate is the model
        model, timing = best_model, best_timing
        report["trained_on"] = f"inner split: {len(inner_docs)} articles"
    else:
        final_docs = inner_docs + val_docs
        model, timing = train_model(
            recipe, final_docs, tokenizer_path, dev_, enc_dir, o.max_steps, log, soft
        )
        report["trained_on"] = f"all training articles: {len(final_docs)}"
    report.update({"recipe": asdict(recipe), "settings": settings.to_dict(), "final": timing})
    if o.report_dev and o.split == "train":
        dev_docs = load_labelled(ptc, split_ids(ptc, "dev")[:o.limit])
        pipe = Pipeline(TorchEngine(model, dev_), tokenizer, settings)
        report["dev_torch"] = evaluate(pipe, dev_docs, settings)
        log(f"dev (torch): {json.dumps(_rounded(report['dev_torch']))}")
    save_weights(model, out_dir / "neural-v1.safetensors", half=o.half)
    report["total_seconds"] = time.perf_counter() - started
    report["final_trained"] = True
    _write_report(out_dir, report)
    if o.export:
        from propscope.detect.neural.export import export_model

        export_model(model.cpu(), settings, tokenizer_path, out_dir, log=log)
    if o.crf_blend and best is not None:
        report["crf_blend"] = add_crf_blend(out_dir, ptc, limit=o.limit, log=log)
        report["total_seconds"] = time.perf_counter() - started
        _write_report(out_dir, report)
    return report


def train_cli(
    data: str | None, split: str, output: Path, options: dict[str, str]
) -> None:
    """The ``propscope train --engine neural`` seam of :mod:`propscope.cli.train_cmd`.

    ``split``: ``dev`` trains on the train part and reports the dev split, ``all``
    trains on all 371 articles.  ``output`` is the folder for the model files (a path
    ending in ``.json`` means its folder).  ``options``: ``--device cpu|cuda|auto``,
    ``--sweep JSON``, ``--epochs``, ``--seed``, ``--max-steps``, ``--encoder DIR``,
    ``--export false``, ``--report-dev false``, ``--half``, ``--limit``,
    ``--time-budget SECONDS``, ``--refit false`` (ship the candidate trained on the
    inner split; the CPU recipe), ``--crf-blend true`` (with ``--refit false``:
    calibrate the encoder-CRF span blend on the unseen inner-validation articles),
    ``--soft-labels DIR`` (distil a teacher's labels, :mod:`.distill`) with
    ``--distill-weight`` (default 0.5).
    """
    if "split" in options:
        raise TrainingError("--split is the command's own option, not an engine option")
    parsed = TrainOptions.from_strings(options)
    out = Path(output)
    if out.suffix == ".json":
        out = out.parent
    train(data, out, replace(parsed, split="train" if split == "dev" else split))


def _write_report(out_dir: Path, report: dict[str, Any]) -> None:
    text = json.dumps(report, indent=2)
    (out_dir / "neural-v1.train.json").write_text(text, encoding="utf-8")


def _rounded(metrics: dict[str, float]) -> dict[str, float]:
    return {k: round(float(v), 4) for k, v in metrics.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m propscope.detect.neural.train``: the same as the CLI command, for
    machines where the package is not installed (a GPU box with the repo on its path)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data")
    ap.add_argument("--out", default="build/neural")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--split", default="train", choices=["train", "all"])
    ap.add_argument("--sweep")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--max-steps", type=int)
    ap.add_argument("--encoder")
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--no-dev", action="store_true")
    ap.add_argument("--half", action="store_true")
    ap.add_argument("--limit", type=int, help="first N articles of each split (smoke runs)")
    ap.add_argument("--time-budget", type=float, help="seconds; stop the sweep in time")
    ap.add_argument(
        "--no-refit", action="store_true",
        help="ship the calibrated candidate trained on the inner split (the CPU recipe)",
    )
    ap.add_argument(
        "--crf-blend", action="store_true",
        help="with --no-refit: calibrate the encoder-CRF span blend on inner validation",
    )
    ap.add_argument("--soft-labels", metavar="DIR",
                    help="distil a teacher's soft labels (python -m propscope.detect.neural."
                    "distill label)")
    ap.add_argument("--distill-weight", type=float, help="their loss weight (default 0.5)")
    ap.add_argument(
        "--blend-only", metavar="MODEL_DIR",
        help="add the calibrated encoder-CRF span blend to an exported --no-refit model",
    )
    args = ap.parse_args(argv)

    def log(line: str) -> None:
        print(line, flush=True)

    if args.blend_only:
        add_crf_blend(args.blend_only, args.data, limit=args.limit, log=log)
        return 0

    options = TrainOptions(
        device=args.device, split=args.split, sweep=args.sweep, epochs=args.epochs,
        seed=args.seed, max_steps=args.max_steps, encoder=args.encoder,
        export=not args.no_export, report_dev=not args.no_dev, half=args.half,
        limit=args.limit, time_budget=args.time_budget, refit=not args.no_refit,
        crf_blend=args.crf_blend, soft_labels=args.soft_labels,
        distill_weight=args.distill_weight,
    )
    train(args.data, args.out, options, log=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
