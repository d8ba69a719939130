"""The neural detector at run time: ONNX Runtime, ``tokenizers`` and numpy, no torch.

The shipped model is two ONNX files beside a JSON description (``neural-v1.json``): the
encoder with its token head, quantised to int8 per channel, and the small span
classifier in fp32.  ``NeuralDetector.load()`` reads them from the package, so a fresh
``pip install propscope`` analyses with no training extra and no network.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from propscope.detect.base import detector_id
from propscope.detect.calibration import Calibration
from propscope.detect.fast.lexicon import add_untyped_pattern_spans, merge_pattern_spans
from propscope.detect.fast.pieces import detect_in_pieces
from propscope.detect.fast.techniques import rank_techniques
from propscope.detect.fast.tokens import Tokenised, tokenise
from propscope.detect.neural.blend import FastBlend
from propscope.detect.neural.predict import Encoded, Pipeline, Settings, technique_picks
from propscope.detect.neural.windows import load_tokenizer
from propscope.detect.postprocess import clean_spans
from propscope.errors import DetectorError
from propscope.model import Document, Span

MODEL_NAME = "neural-v1.json"
THREADS_ENV = "PROPSCOPE_THREADS"
DOCS_PER_PASS = 64  # documents encoded together: bounds memory, keeps batches full
CHARS_PER_PASS = 200_000  # and characters: at most ~200 000 tokens, 300 MB of hidden states


def default_model_path() -> Path:
    """``neural-v1.json`` inside the installed package."""
    return Path(str(resources.files("propscope") / "models" / MODEL_NAME))


def thread_count() -> int:
    """``$PROPSCOPE_THREADS``, else every core this process may run on: on the 2-core
    reference machine, 2 intra-op threads and no inter-op pool."""
    env = os.environ.get(THREADS_ENV)
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class OrtEngine:
    """:class:`~.predict.Engine` over two ONNX Runtime sessions."""

    def __init__(
        self, encoder_path: Path, span_path: Path, threads: int, parallel: bool = True
    ) -> None:
        import onnxruntime as ort

        # One single-threaded run per core, batches side by side (``parallel``), beats
        # one run split over the cores: a MiniLM layer is too small for ONNX Runtime's
        # intra-op threads to keep two cores busy (3.2 vs 4.1 articles/s measured).
        self.parallel = threads if parallel else 1
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1 if parallel else threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        providers = ["CPUExecutionProvider"]
        try:
            self.encoder = ort.InferenceSession(str(encoder_path), options, providers=providers)
            self.span = ort.InferenceSession(str(span_path), options, providers=providers)
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise DetectorError(
                f"cannot load the neural model from {encoder_path.parent}: {exc}",
                fix="reinstall propscope; the model files may be damaged",
            ) from exc

    def encode(
        self, input_ids: np.ndarray, attention_mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        logits, hidden = self.encoder.run(
            None, {"input_ids": input_ids, "attention_mask": attention_mask}
        )
        return logits, hidden

    def classify(self, features: np.ndarray) -> np.ndarray:
        (logits,) = self.span.run(None, {"features": features.astype(np.float32)})
        return logits


def files_fingerprint(paths: Sequence[Path]) -> str:
    """Twelve hex digits of a hash of the model's files (ONNX graphs and tokenizer):
    ~40 ms for the shipped 37 MB, once per load."""
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]


class NeuralDetector:
    """Propaganda spans from a fine-tuned MiniLM encoder (``neural.v1``)."""

    name = "neural"
    version = "1"

    def __init__(
        self, pipeline: Pipeline, model_path: Path | None = None, *, lexicon: bool = True,
        clean: bool = True,
    ) -> None:
        self.pipeline = pipeline
        self.model_path = model_path  # the weights file, for size reports
        # The state-media patterns shared with the fast detector (see
        # propscope.detect.fast.lexicon): PTC teaches the encoder little about eulogies
        # of leaders, and on the PTC dev split the patterns change SI/TC by < 0.01.
        self.use_lexicon = lexicon
        self.clean = clean  # the span clean-up shared with fast (detect.postprocess)
        self.blend: FastBlend | None = None
        # The weights' fingerprint (set by load): a retrained student with the same
        # settings must not pass for the old one in a store.
        self.fingerprint: str | None = None

    @classmethod
    def load(
        cls, path: str | Path | None = None, *, lexicon: bool = True, blend: bool = True,
        clean: bool = True,
    ) -> NeuralDetector:
        """The model described by ``path`` (a ``neural-v1.json`` or the folder holding
        it), else the one shipped in the package."""
        meta_path = Path(path) if path else default_model_path()
        if meta_path.is_dir():
            meta_path = meta_path / MODEL_NAME
        if not meta_path.is_file():
            raise DetectorError(
                f"no neural model at {meta_path}",
                fix="reinstall propscope, or train one with `propscope train --engine neural`",
            )
        folder = meta_path.parent
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            onnx, span_onnx = folder / meta["onnx"], folder / meta["span_onnx"]
            tokenizer = load_tokenizer(str(folder / meta["tokenizer"]))
            settings = Settings.from_dict(meta["settings"])
        except Exception as exc:  # bad JSON, a missing key or file, a broken tokenizer
            raise DetectorError(
                f"cannot read the neural model description {meta_path}: {exc!r}",
                fix="reinstall propscope, or point at the folder `propscope train` wrote",
            ) from exc
        engine = OrtEngine(onnx, span_onnx, thread_count())
        detector = cls(Pipeline(engine, tokenizer, settings), onnx, lexicon=lexicon,
                       clean=clean)
        detector.fingerprint = files_fingerprint(
            (onnx, span_onnx, folder / meta["tokenizer"]))
        if blend:
            detector.blend = FastBlend()
        return detector

    @property
    def settings(self) -> Settings:
        return self.pipeline.settings

    def config(self) -> dict[str, object]:
        """The settings that change this detector's output beyond its name and version,
        for :func:`~propscope.detect.base.detector_id`: the model files' fingerprint, the
        lexicon, whether the fast detector's blends are on (and the fast model's
        fingerprint), and the decoding settings (thresholds, gaps, window size, the CRF's
        share, the calibration).  The batch size only orders the work, so it is left out,
        as is the list of techniques (part of the model)."""
        decoding = self.settings.to_dict()
        for key in ("batch_size", "techniques"):
            decoding.pop(key, None)
        # The blended fast model's weights too: a retrained fast-v1.npz changes this
        # detector's spans and techniques.
        fast = self.blend.fast.fingerprint if self.blend is not None else None
        return {"lexicon": self.use_lexicon, "clean": self.clean, "model": self.fingerprint,
                "blend": self.blend is not None, "fast_model": fast, **decoding}

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        """Spans with techniques for each document, batched across documents; a very
        long document goes in pieces (see :mod:`propscope.detect.fast.pieces`), since
        the windows' hidden states take 1.5 KB a token until its spans are labelled."""
        return detect_in_pieces(docs, self._detect_pass, pass_chars=CHARS_PER_PASS,
                                pass_docs=DOCS_PER_PASS)

    def _detect_pass(self, docs: Sequence[Document]) -> list[list[Span]]:
        out: list[list[Span]] = []
        who = detector_id(self)  # a hash of the settings: once a pass, not twice a document
        # The span's score: P(right) by the model's calibration when it has one, else
        # the raw product (see propscope.detect.calibration); read once a pass too.
        calibrate = Calibration.from_dict(self.settings.calibration) or float
        for doc, enc in zip(docs, self.pipeline.encode([d.text for d in docs])):
            spans = self._spans(enc, who, calibrate)
            if self.use_lexicon:
                spans = merge_pattern_spans(spans, doc.text, who)
            out.append(clean_spans(spans, doc.text) if self.clean else spans)
        return out

    def find_spans(self, text: str | Document) -> list[Span]:
        """Propaganda spans without techniques (SemEval SI): the token tagger alone."""
        text = text.text if isinstance(text, Document) else text
        (enc,) = self.pipeline.encode([text])
        who = detector_id(self)
        spans = [
            Span(a, b, None, score=p, detector=who, evidence=f"neural: p(propaganda) {p:.2f}")
            for a, b, p in self._found(enc)
        ]
        if self.use_lexicon:
            spans = add_untyped_pattern_spans(spans, text, who)
        return clean_spans(spans, text) if self.clean else spans

    def classify(
        self, text: str | Document, spans: Sequence[Span | tuple[int, int]]
    ) -> list[Span]:
        """The given spans of ``text`` with a technique each (SemEval TC); a span listed
        twice gets its two most likely techniques."""
        text = text.text if isinstance(text, Document) else text
        pairs = [(s.start, s.end) if isinstance(s, Span) else (int(s[0]), int(s[1])) for s in spans]
        for start, end in pairs:
            if not 0 <= start < end <= len(text):
                raise DetectorError(
                    f"span [{start}, {end}) is outside the text ({len(text)} characters)",
                    fix="give spans with 0 <= start < end <= len(text)",
                )
        if not pairs:
            return []
        (enc,) = self.pipeline.encode([text])
        probs = self._technique_probs(enc, text, pairs)
        names = rank_techniques(probs, pairs, self.settings.techniques)
        index = {name: i for i, name in enumerate(self.settings.techniques)}
        who = detector_id(self)
        return [
            Span(a, b, name, score=float(p[index[name]]), detector=who,
                 evidence=f"neural: p(technique) {p[index[name]]:.2f}")
            for (a, b), name, p in zip(pairs, names, probs)
        ]

    def _crf_blend(self) -> FastBlend | None:
        """The blend, when the model's settings give the CRF a share of span finding."""
        return self.blend if self.blend is not None and self.settings.crf_weight > 0 else None

    def _found(self, enc: Encoded, tok: Tokenised | None = None) -> list[tuple[int, int, float]]:
        """Spans from the encoder's "any" score, or from its average with the fast
        CRF's when the model's settings give the CRF a share (see ``blend``)."""
        s, blend = self.settings, self._crf_blend()
        if blend is None:
            return self.pipeline.find_spans(enc)
        return self.pipeline.find_spans(
            enc, s.crf_threshold, max_gap=s.crf_max_gap,
            inside=blend.inside(enc, s.crf_weight, tok),
        )

    def _spans(
        self, enc: Encoded, who: str, calibrate: Callable[[float], float]
    ) -> list[Span]:
        # Both blends read the fast detector's tokens: tokenise once for the two.
        tok = tokenise(enc.text) if self._crf_blend() else None
        found = self._found(enc, tok)
        if not found:
            return []
        probs = self._technique_probs(enc, enc.text, [(a, b) for a, b, _ in found], tok)
        names = self.settings.techniques
        spans: list[Span] = []
        for (start, end, p_any), p in zip(found, probs):
            for k in technique_picks(p, self.settings.second_threshold):
                spans.append(
                    Span(
                        start,
                        end,
                        names[k],
                        score=calibrate(float(p_any * p[k])),
                        detector=who,
                        evidence=f"neural: p(propaganda) {p_any:.2f}, p(technique) {p[k]:.2f}",
                    )
                )
        return spans

    def _technique_probs(
        self, enc: Encoded, text: str, pairs: Sequence[tuple[int, int]],
        tok: Tokenised | None = None,
    ) -> np.ndarray:
        probs = self.pipeline.classify(enc, pairs)
        if self.blend is not None:
            probs = self.blend.techniques(probs, text, pairs, self.settings.techniques, tok,
                                          self.settings.fast_tech_weight)
        return probs
