"""The fast detector: CRF span finding and linear technique labelling on CPU.

``FastDetector.load()`` is what the registry name ``"fast"`` builds (the default is
``"neural"``, which also uses this detector's models through
:meth:`FastDetector.inside_probabilities` and :meth:`FastDetector.technique_probabilities`).
Training lives beside it in :mod:`propscope.detect.fast.train` (needs scikit-learn).
"""

from propscope.detect.fast.detector import FastDetector

__all__ = ["FastDetector"]
