"""Export a trained :class:`~.model.NeuralTagger` to the files the runtime loads.

* ``neural-v1.onnx``: encoder + token head, traced with ``torch.onnx.export`` (the
  TorchScript exporter, dynamic batch and length), then int8 dynamic quantisation with
  one scale per output channel (per-tensor scales lose too much accuracy here);
* ``neural-v1.span.onnx``: the span classifier, fp32 (it is tiny);
* ``neural-v1.tokenizer.json`` and ``neural-v1.json`` (file names + decoding settings).

``python -m propscope.detect.neural.export WEIGHTS SETTINGS_JSON OUT_DIR`` rebuilds them
from saved weights, e.g. weights trained on another machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from propscope.detect.neural.model import NeuralTagger, encoder_dir
from propscope.detect.neural.predict import CHANNELS, Settings, feature_size
from propscope.detect.neural.runtime import MODEL_NAME

OPSET = 17
PREFIX = "neural-v1"


def _export_encoder(model: NeuralTagger, path: Path) -> None:
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    torch.onnx.export(
        model,
        (ids, mask),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["token_logits", "hidden"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "token_logits": {0: "batch", 1: "tokens"},
            "hidden": {0: "batch", 1: "tokens"},
        },
        opset_version=OPSET,
        dynamo=False,
    )


def _export_span_head(model: NeuralTagger, path: Path) -> None:
    hidden = int(model.encoder.config.hidden_size)
    features = torch.zeros((3, feature_size(hidden)), dtype=torch.float32)
    torch.onnx.export(
        model.span_head,
        (features,),
        str(path),
        input_names=["features"],
        output_names=["logits"],
        dynamic_axes={"features": {0: "spans"}, "logits": {0: "spans"}},
        opset_version=OPSET,
        dynamo=False,
    )


WORD_EMBEDDINGS = "encoder.embeddings.word_embeddings.weight"


def quantise(src: Path, dst: Path) -> None:
    """int8 dynamic quantisation of every MatMul weight, one scale per output channel;
    the word-embedding table is kept in fp16 instead (:func:`half_embeddings`)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(src), str(dst), per_channel=True, weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul", "Gemm"],
    )
    half_embeddings(dst)


def half_embeddings(path: Path) -> None:
    """Store the word-embedding table (half the model's weights) in fp16, with a Cast
    after its lookup.  Quantising it to int8 cost about a point of TC micro-F1 on the
    dev split; fp16 costs nothing measurable and keeps the file under 40 MB."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    table = next((t for t in graph.initializer if t.name == WORD_EMBEDDINGS), None)
    if table is None:
        return
    half = numpy_helper.from_array(numpy_helper.to_array(table).astype(np.float16), table.name)
    table.CopyFrom(half)
    for index, node in enumerate(graph.node):
        if node.op_type == "Gather" and node.input[0] == WORD_EMBEDDINGS:
            looked_up = node.output[0] + "_fp16"
            cast = helper.make_node(
                "Cast", [looked_up], [node.output[0]], to=onnx.TensorProto.FLOAT,
                name=node.name + "_to_fp32",
            )
            node.output[0] = looked_up
            graph.node.insert(index + 1, cast)
            break
    onnx.save(model, str(path))


def export_model(
    model: NeuralTagger,
    settings: Settings,
    tokenizer_path: str | Path,
    out_dir: str | Path,
    *,
    extra: dict | None = None,
    log: Callable[[str], None] = print,
) -> Path:
    """Write the runtime files into ``out_dir``; returns the path of ``neural-v1.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = model.cpu().eval()
    if hasattr(model.encoder, "set_attn_implementation"):
        model.encoder.set_attn_implementation("eager")
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        with torch.no_grad():
            _export_encoder(model, fp32)
        quantise(fp32, out / f"{PREFIX}.onnx")
    with torch.no_grad():
        _export_span_head(model, out / f"{PREFIX}.span.onnx")
    shutil.copyfile(tokenizer_path, out / f"{PREFIX}.tokenizer.json")
    meta = {
        "name": "neural",
        "version": "1",
        "onnx": f"{PREFIX}.onnx",
        "span_onnx": f"{PREFIX}.span.onnx",
        "tokenizer": f"{PREFIX}.tokenizer.json",
        "channels": list(CHANNELS),
        "settings": settings.to_dict(),
        **(extra or {}),
    }
    path = out / MODEL_NAME
    path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    size = (out / f"{PREFIX}.onnx").stat().st_size / 2**20
    log(f"exported {out / f'{PREFIX}.onnx'} ({size:.1f} MiB, int8 per channel)")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Export trained neural weights to ONNX.")
    ap.add_argument("weights", help="neural-v1.safetensors from training")
    ap.add_argument("settings", help="neural-v1.train.json (its 'settings') or a Settings JSON")
    ap.add_argument("out_dir")
    ap.add_argument("--encoder", help="encoder folder (config + tokenizer); default: the package")
    args = ap.parse_args(argv)
    from propscope.detect.neural.torch_runtime import load_tagger

    data = json.loads(Path(args.settings).read_text(encoding="utf-8"))
    settings = Settings.from_dict(data.get("settings", data))
    folder = Path(args.encoder) if args.encoder else encoder_dir()
    model = load_tagger(args.weights, folder)
    export_model(model, settings, folder / "tokenizer.json", args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
