"""The Detector contract and the registry that maps names to detectors.

A detector is batch first, like spaCy's ``pipe``: ``detect`` takes a sequence of
documents and returns one list of spans per document, so a neural detector can pack
sentences from many documents into one batch.  Detectors only read
``Document.text``; every span they return indexes it.

Detectors register under a short name with a factory that is imported lazily, so
``propscope analyze --detector fast`` never loads onnxruntime, and third-party
packages can add their own with :func:`register`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from propscope.errors import DetectorError
from propscope.model import Document, Span


@runtime_checkable
class Detector(Protocol):
    """What every detector offers.  ``name`` and ``version`` are stored with each span
    (``"fast"``, ``"1"`` → ``fast.v1``) so a store knows which documents a newer
    detector still has to analyse."""

    name: str
    version: str

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        """One list of spans per document, offsets into that document's text."""
        ...


def detector_id(detector: Detector) -> str:
    return f"{detector.name}.v{detector.version}"


# name -> "module:factory", or a callable returning a Detector
_REGISTRY: dict[str, str | Callable[[], Detector]] = {
    "fast": "propscope.detect.fast:FastDetector.load",
    "neural": "propscope.detect.neural.runtime:NeuralDetector.load",
    "neural-torch": "propscope.detect.neural.torch_runtime:NeuralTorchDetector.load",
}
_ALIASES: dict[str, str] = {"default": "neural"}  # beats fast on dev SI and TC: docs/neural.md
_CACHE: dict[str, Detector] = {}


def register(name: str, factory: str | Callable[[], Detector], *, default: bool = False) -> None:
    """Make a detector available as ``name``; ``factory`` is ``"module:callable"`` or a
    callable.  ``default=True`` makes it what ``analyze`` uses when none is named."""
    _REGISTRY[name] = factory
    _CACHE.pop(name, None)
    if default:
        _ALIASES["default"] = name


def available_detectors() -> list[str]:
    return sorted(_REGISTRY)


def default_detector_name() -> str:
    return _ALIASES["default"]


def get_detector(name: str | Detector = "default") -> Detector:
    """The detector registered as ``name`` (loaded once per process), or ``name``
    itself when it already is a detector.  A detector whose optional dependencies are
    missing raises :class:`DetectorError`, so every caller (analyze, batch, semeval)
    reports it the same way."""
    if not isinstance(name, str):
        return name
    name = _ALIASES.get(name, name)
    if name in _CACHE:
        return _CACHE[name]
    factory = _REGISTRY.get(name)
    if factory is None:
        raise DetectorError(
            f"unknown detector {name!r}",
            fix=f"choose one of: {', '.join(available_detectors())}",
        )
    try:
        if isinstance(factory, str):
            module_name, _, attr = factory.partition(":")
            target: object = importlib.import_module(module_name)
            for part in attr.split("."):
                target = getattr(target, part)
            factory = target  # type: ignore[assignment]
        detector = factory()  # type: ignore[operator]
    except ImportError as exc:  # a detector whose optional dependencies are missing
        raise DetectorError(
            f"detector {name!r} cannot be loaded: {exc}",
            fix="install the package it needs, or choose another with --detector",
        ) from exc
    _CACHE[name] = detector
    return detector
