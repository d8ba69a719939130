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

__version__ = "0.1.0"

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
