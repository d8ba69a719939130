"""The same neural detector run in torch fp32: the baseline a user would otherwise pick.

It exists to be measured against (``benchmarks/`` registers it as ``neural-torch``) and
for the trainer's validation; it goes through the same :class:`~.predict.Pipeline` as
the ONNX runtime, so any difference in output or speed comes from the engine alone.
Needs the ``[train]`` extra and the fp32 weights the trainer writes
(``neural-v1.safetensors``), which are too large to ship in the package.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch

from propscope.detect.neural.blend import FastBlend
from propscope.detect.neural.model import NeuralTagger, load_encoder
from propscope.detect.neural.predict import Pipeline, Settings
from propscope.detect.neural.runtime import NeuralDetector, default_model_path
from propscope.detect.neural.windows import load_tokenizer
from propscope.errors import DetectorError

WEIGHTS_ENV = "PROPSCOPE_NEURAL_TORCH_WEIGHTS"
DEFAULT_WEIGHTS = Path.home() / ".cache" / "propscope" / "neural-v1.safetensors"


class TorchEngine:
    """:class:`~.predict.Engine` over a :class:`NeuralTagger` (bf16 autocast on CUDA)."""

    def __init__(self, model: NeuralTagger, device: str | torch.device = "cpu") -> None:
        self.model = model
        self.device = torch.device(device)

    @torch.inference_mode()
    def encode(
        self, input_ids: np.ndarray, attention_mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        self.model.eval()
        ids = torch.from_numpy(input_ids).to(self.device)
        mask = torch.from_numpy(attention_mask).to(self.device)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=self.device.type == "cuda"):
            logits, hidden = self.model(ids, mask)
        return logits.float().cpu().numpy(), hidden.float().cpu().numpy()

    @torch.inference_mode()
    def classify(self, features: np.ndarray) -> np.ndarray:
        self.model.eval()
        x = torch.from_numpy(features).to(self.device)
        return self.model.span_head(x).float().cpu().numpy()


def load_tagger(weights: str | Path, encoder: str | Path | None = None) -> NeuralTagger:
    """A :class:`NeuralTagger` with trained fp32 (or fp16) weights from safetensors."""
    from safetensors.torch import load_file

    model = NeuralTagger(load_encoder(encoder))
    state = {k: v.float() for k, v in load_file(str(weights)).items()}
    model.load_state_dict(state)  # strict: a weights file of another shape must fail
    return model.eval()


class NeuralTorchDetector(NeuralDetector):
    """The neural detector on torch fp32, for benchmarks only."""

    name = "neural-torch"
    version = "1"

    @classmethod
    def load(cls, path: str | Path | None = None) -> NeuralTorchDetector:  # type: ignore[override]
        """Weights from ``path``, ``$PROPSCOPE_NEURAL_TORCH_WEIGHTS`` or
        ``~/.cache/propscope/neural-v1.safetensors``; settings and tokenizer from the
        shipped ONNX model, so both detectors decode alike."""
        weights = Path(path or os.environ.get(WEIGHTS_ENV) or DEFAULT_WEIGHTS)
        if not weights.is_file():
            raise DetectorError(
                f"no torch weights at {weights}",
                fix=f"train with `propscope train --engine neural` or set {WEIGHTS_ENV}",
            )
        meta_path = default_model_path()
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
        engine = TorchEngine(load_tagger(weights))
        tokenizer = load_tokenizer(str(meta_path.parent / meta["tokenizer"]))
        detector = cls(Pipeline(engine, tokenizer, Settings.from_dict(meta["settings"])), weights)
        detector.blend = FastBlend()  # the shipped detector's blends, so only the engine differs
        return detector
