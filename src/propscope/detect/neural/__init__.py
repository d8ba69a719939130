"""The neural detector: a fine-tuned MiniLM encoder, run on ONNX Runtime.

``runtime`` (no torch) is what ``propscope analyze`` loads; ``train``, ``model`` and
``export`` need the ``[train]`` extra; ``torch_runtime`` is the fp32 baseline.
"""

from propscope.detect.neural.runtime import NeuralDetector

__all__ = ["NeuralDetector"]
