"""``FastDetector``: CRF span finding + linear technique labelling + state-media lexicon.

Per document: tokenise once (:mod:`~propscope.detect.fast.tokens`), find spans with the
CRF (:mod:`~propscope.detect.fast.spans`), label each with the technique model
(:mod:`~propscope.detect.fast.techniques`), emit a second technique too when the model
gives it at least the tuned probability (the technique-aware metric scores each
technique of a span on its own), then merge in the hand-written patterns of
:mod:`~propscope.detect.fast.lexicon` where no learned span of the same technique
already overlaps.  No torch, no network, no crfsuite at runtime: numpy only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from propscope.detect.base import detector_id
from propscope.detect.calibration import Calibration
from propscope.detect.fast.lexicon import add_untyped_pattern_spans, merge_pattern_spans
from propscope.detect.fast.model import FastModel
from propscope.detect.fast.pieces import detect_in_pieces
from propscope.detect.fast.spans import CrfTables, O, decode, marginals, marginals_many
from propscope.detect.fast.techniques import TechniqueModel
from propscope.detect.fast.tokenmodel import FLAGS, TokenVocab, token_inputs
from propscope.detect.fast.tokens import Tokenised, tokenise
from propscope.detect.postprocess import clean_spans
from propscope.model import Document, Span

MODEL_NAME = "fast-v1.npz"
PASS_CHARS = 250_000  # characters per CRF pass: up to ~600 bytes a character in memory


def model_fingerprint(model: FastModel) -> str:
    """Twelve hex digits of a hash of what the model computes with: the CRF's and the
    technique model's weights, their vocabularies and the technique feature groups
    (the meta's thresholds are in :meth:`FastDetector.config` on their own)."""
    digest = hashlib.sha256()
    for array in (model.span_pairs, model.span_tables, model.tc_weights, model.tc_bias):
        digest.update(np.ascontiguousarray(array).tobytes())
    described = [model.span_vocab, model.tc_vocab, model.tc_classes,
                 sorted(model.meta.get("tc_features", ()))]
    digest.update(json.dumps(described, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:12]


def shipped_model_path() -> Path:
    """The model file inside the installed package (``propscope/models/``)."""
    return Path(str(resources.files("propscope") / "models" / MODEL_NAME))


class FastDetector:
    """The CPU-light detector: fast, explainable, trained on the PTC (the default is
    neural, which blends in this one's CRF and technique model)."""

    name = "fast"
    version = "1"

    def __init__(
        self, model: FastModel, *, lexicon: bool = True, path: Path | None = None,
        clean: bool = True,
    ) -> None:
        self.model = model
        self.model_path = path  # where it came from, for benchmarks and `info`
        self.use_lexicon = lexicon
        self.clean = clean  # the shared span clean-up (propscope.detect.postprocess)
        self.vocab = TokenVocab.from_json(model.span_vocab, model.span_pairs)
        self.tables = CrfTables.unpack(model.span_tables, self.vocab, len(FLAGS))
        self.techniques = TechniqueModel.from_model(model)
        self.fingerprint = model_fingerprint(model)  # once: config() runs per pass
        # Raw span score -> P(span right), fitted on out-of-fold spans
        # (propscope.detect.calibration); None leaves the raw products.
        self.calibration = Calibration.from_dict(model.meta.get("calibration"))

    def config(self) -> dict[str, object]:
        """The settings that change this detector's output beyond its name and version,
        for :func:`~propscope.detect.base.detector_id`: a store must not take spans
        found without the lexicon, or at another threshold, for this detector's, nor
        (``model``) spans of other weights: a retrained model file gets a new id."""
        return {
            "lexicon": self.use_lexicon,
            "clean": self.clean,
            "span_threshold": float(self.model.span_threshold),
            "second_threshold": float(self.model.second_threshold),
            "model": self.fingerprint,
            "calibration": self.calibration.to_dict() if self.calibration else None,
        }

    @classmethod
    def load(
        cls, path: str | Path | None = None, *, lexicon: bool = True, clean: bool = True
    ) -> FastDetector:
        """The model at ``path``, or the one shipped in the package."""
        path = Path(path) if path else shipped_model_path()
        return cls(FastModel.load(path), lexicon=lexicon, path=path, clean=clean)

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        """Spans with techniques for each document; the CRF runs once per batch of at
        most :data:`PASS_CHARS` characters, a very long document in pieces (see
        :mod:`~propscope.detect.fast.pieces`), so memory stays bounded."""
        return detect_in_pieces(docs, self._detect_pass, pass_chars=PASS_CHARS)

    def _detect_pass(self, docs: Sequence[Document]) -> list[list[Span]]:
        toks = [tokenise(doc.text) for doc in docs]
        inputs = [token_inputs(tok, self.vocab) for tok in toks]
        threshold = self.model.span_threshold
        who = detector_id(self)
        results = []
        for tok, item, probs in zip(toks, inputs, marginals_many(inputs, self.tables)):
            spans = self.label_spans(tok, decode(item, probs, threshold), who)
            if self.use_lexicon:
                spans = merge_pattern_spans(spans, tok.text, who)
            results.append(clean_spans(spans, tok.text) if self.clean else spans)
        return results

    def detect_text(self, text: str) -> list[Span]:
        """Spans with techniques in one normalised text."""
        return self.detect([Document(text=text)])[0]

    def inside_probabilities(self, tok: Tokenised) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(starts, ends, p)``: each token's character offsets in ``tok.text`` and the
        CRF's marginal ``P(inside some span) = 1 - P(O)`` for it.  What the neural
        detector averages with its encoder's score (:mod:`propscope.detect.neural.blend`)."""
        inputs = token_inputs(tok, self.vocab)
        if len(inputs) == 0:
            return inputs.starts, inputs.ends, np.zeros(0)
        return inputs.starts, inputs.ends, 1.0 - marginals(inputs, self.tables)[:, O]

    def technique_probabilities(
        self, tok: Tokenised, spans: Sequence[tuple[int, int]], names: Sequence[str]
    ) -> np.ndarray:
        """``(len(spans), len(names))``: the technique model's probability of each
        technique in ``names`` (in that order) for each ``(start, end)`` of ``tok.text``."""
        model = self.techniques
        probs = model.probabilities([model.features(tok, a, b) for a, b in spans])
        return probs[:, [model.classes.index(name) for name in names]]

    def find(self, tok: Tokenised) -> list[tuple[int, int, float]]:
        """``(start, end, P)`` of the spans the CRF finds in a tokenised text."""
        inputs = token_inputs(tok, self.vocab)
        return decode(inputs, marginals(inputs, self.tables), self.model.span_threshold)

    def find_spans(self, text: str) -> list[Span]:
        """Spans without techniques (SemEval SI): the CRF's spans, and with the lexicon
        on, the pattern hits that no CRF span overlaps."""
        tok = tokenise(text)
        who = detector_id(self)
        spans = [
            Span(start, end, None, score, who, f"span model p={score:.2f}")
            for start, end, score in self.find(tok)
        ]
        if self.use_lexicon:
            spans = add_untyped_pattern_spans(spans, text, who)
        return clean_spans(spans, text) if self.clean else spans

    def classify(self, text: str, spans: Sequence[tuple[int, int]]) -> list[Span]:
        """One technique for each given ``(start, end)`` (SemEval TC), in order; a span
        given twice gets its two most likely techniques."""
        tok = tokenise(text)
        who = detector_id(self)
        model = self.techniques
        return [
            Span(start, end, model.classes[k], p, who, model.explain(idx, k, tok, start, end))
            for (start, end), (k, p, idx) in zip(spans, model.classify(tok, spans))
        ]

    def label_spans(
        self, tok: Tokenised, found: list[tuple[int, int, float]], who: str | None = None
    ) -> list[Span]:
        """Techniques for found ``(start, end, P)`` spans: the best one, and the second
        too when its probability reaches the tuned threshold.  ``who``: the detector id
        to stamp (this detector's)."""
        who = who or detector_id(self)
        rows = [self.techniques.features(tok, start, end) for start, end, _ in found]
        probs = self.techniques.probabilities(rows)
        second = self.model.second_threshold
        classes = self.techniques.classes
        out: list[Span] = []
        for (start, end, p_span), idx, p in zip(found, rows, probs):
            order = p.argsort()[::-1]
            for rank, cls in enumerate(order[:2]):
                if rank == 1 and p[cls] < second:
                    break
                why = self.techniques.explain(idx, int(cls), tok, start, end)
                raw = float(p_span * p[cls])
                score = self.calibration(raw) if self.calibration else raw
                out.append(Span(start, end, classes[cls], score, who,
                                f"span p={p_span:.2f}; {why}"))
        return out

