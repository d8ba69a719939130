"""The fast detector: CRF span finding and linear technique labelling on CPU.

``FastDetector.load()`` is what the registry name ``"fast"`` (the default) builds.
Training lives beside it in :mod:`propscope.detect.fast.train` (needs scikit-learn).
"""

from propscope.detect.fast.detector import FastDetector

__all__ = ["FastDetector"]
