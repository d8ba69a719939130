"""The fast detector's model file: one ``.npz`` holding both learned parts.

* ``span_vocab`` (JSON: words, affixes), ``span_pairs`` (word-pair keys) and
  ``span_tables`` (the CRF's weights, rows × B/I/O): span finding, see
  :mod:`propscope.detect.fast.spans`;
* ``tc_weights`` (features × techniques), ``tc_bias``, ``tc_vocab``, ``tc_classes``:
  the multinomial linear model that labels a span with a technique;
* ``meta``: JSON with the decoding thresholds tuned at training time, the training
  data and split, seed, metrics and timings (the model card repeats these).

One file keeps a model and its settings from drifting apart; ``.npz`` is read with
``allow_pickle=False``, so loading a model never runs code.  Weights are numpy arrays
at runtime: scikit-learn and crfsuite are needed only to train.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import DetectorError

FORMAT = "propscope-fast/1"


@dataclass(slots=True)
class FastModel:
    span_vocab: dict[str, Any]
    span_pairs: np.ndarray  # int64
    span_tables: np.ndarray  # float32, (rows, 3)
    tc_weights: np.ndarray  # float32, (n_features, n_classes)
    tc_bias: np.ndarray  # float32, (n_classes,)
    tc_vocab: list[str]
    tc_classes: list[str]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def span_threshold(self) -> float:
        """Minimum P(token in a span) for a token to join a span."""
        return float(self.meta.get("span_threshold", 0.5))

    @property
    def second_threshold(self) -> float:
        """Minimum probability for a span's second technique to be emitted too."""
        return float(self.meta.get("second_threshold", 1.0))

    def save(self, path: str | Path) -> None:
        def blob(data: bytes) -> np.ndarray:
            return np.frombuffer(data, dtype=np.uint8)

        meta = dict(self.meta, format=FORMAT)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            span_vocab=blob(json.dumps(self.span_vocab).encode()),
            span_pairs=self.span_pairs.astype(np.int64),
            span_tables=self.span_tables.astype(np.float16),
            tc_weights=self.tc_weights.astype(np.float16),
            tc_bias=self.tc_bias.astype(np.float32),
            tc_vocab=blob(json.dumps(self.tc_vocab).encode()),
            tc_classes=blob(json.dumps(self.tc_classes).encode()),
            meta=blob(json.dumps(meta).encode()),
        )
        Path(path).write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> FastModel:
        path = Path(path)
        if not path.is_file():
            raise DetectorError(f"no fast model at {path}",
                                fix="train one with: propscope train --engine fast")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(data["meta"].tobytes())
                if meta.get("format") != FORMAT:
                    raise DetectorError(f"{path} is not a {FORMAT} model file")
                return cls(
                    span_vocab=json.loads(data["span_vocab"].tobytes()),
                    span_pairs=data["span_pairs"].astype(np.int64),
                    span_tables=data["span_tables"].astype(np.float32),
                    tc_weights=data["tc_weights"].astype(np.float32),
                    tc_bias=data["tc_bias"].astype(np.float32),
                    tc_vocab=json.loads(data["tc_vocab"].tobytes()),
                    tc_classes=json.loads(data["tc_classes"].tobytes()),
                    meta=meta,
                )
        except DetectorError:
            raise
        except Exception as exc:  # zip, key or JSON damage: one clear message
            raise DetectorError(f"cannot read fast model {path}: {exc}") from exc
