"""propscope: find propaganda techniques in text, span by span, offline.

>>> import propscope
>>> result = propscope.analyze("Our invincible army will crush the imperialist aggressors!")
>>> [(result.span_text(s), s.technique) for s in result.spans]  # doctest: +SKIP
"""

from propscope.detect.base import Detector, available_detectors, get_detector, register
from propscope.errors import PropscopeError
from propscope.model import AnalysedDocument, Document, Span
from propscope.pipeline import analyze, analyze_many
from propscope.techniques import TECHNIQUE_NAMES, TECHNIQUES, Technique


def __getattr__(name: str) -> str:
    # ``propscope.__version__``: the package's own version (pyproject.toml), not a
    # second copy to forget; looked up when asked for, so ``import propscope`` does not
    # pay for importlib.metadata (about 20 ms) on every start.
    if name != "__version__":
        raise AttributeError(f"module 'propscope' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("propscope")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"

__all__ = [  # noqa: RUF022  (plain sorted(): tests/test_api.py guards it)
    "AnalysedDocument",
    "Detector",
    "Document",
    "PropscopeError",
    "Span",
    "TECHNIQUES",
    "TECHNIQUE_NAMES",
    "Technique",
    "analyze",
    "analyze_many",
    "available_detectors",
    "get_detector",
    "register",
]
