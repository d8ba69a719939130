"""Detectors: components that read documents and return spans.

See :mod:`propscope.detect.base` for the contract and the registry.
"""

from propscope.detect.base import Detector, available_detectors, get_detector, register

__all__ = ["Detector", "available_detectors", "get_detector", "register"]
