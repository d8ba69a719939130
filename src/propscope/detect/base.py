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

import hashlib
import importlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
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
    """The one id of a detector as configured: ``name.vVERSION`` and, when the detector
    says which settings change its output (a ``config()`` mapping, e.g. the lexicon or a
    blend turned off), ``+`` and eight hex digits of a hash of them.

    Why a hash: the store decides what is still to analyse by this id, so two
    configurations of one model must not share it; the pipeline stamps it on every span
    so a JSON export, the terminal and the database name the same detector."""
    base = f"{detector.name}.v{detector.version}"
    config = getattr(detector, "config", None)
    settings = config() if callable(config) else None
    if not settings:
        return base
    blob = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return f"{base}+{hashlib.sha256(blob.encode('utf-8')).hexdigest()[:8]}"


@dataclass(frozen=True, slots=True)
class DetectorRef:
    """What a user typed to name a detector, parsed: ``fast``, ``fast.v1`` or a full id
    ``fast.v1+1a2b3c4d``.  Every face accepts all three (one name accepted everywhere);
    :meth:`matches` tells whether a stored id is one the user meant."""

    name: str
    version: str | None = None
    config_hash: str | None = None

    @classmethod
    def parse(cls, text: str) -> DetectorRef:
        match = _ID.fullmatch(text.strip())
        if match is None:
            raise DetectorError(
                f"{text!r} is not a detector name or id",
                fix="give a name (fast), a name and version (fast.v1) or a full id",
            )
        name = _ALIASES.get(match["name"], match["name"])
        return cls(name, match["version"], match["hash"])

    def matches(self, stored_id: str) -> bool:
        """Whether ``stored_id`` is this detector: any version of a bare name, any
        configuration of ``name.vN``, or exactly the full id."""
        try:
            other = DetectorRef.parse(stored_id)
        except DetectorError:
            return False
        return (other.name == self.name
                and self.version in (None, other.version)
                and self.config_hash in (None, other.config_hash))

    def sql_patterns(self) -> tuple[str, ...]:
        """SQL ``LIKE`` patterns, any of which a stored id this reference matches fits
        (names, versions and hashes hold no ``%`` or ``_``: see ``_ID``)."""
        if self.version is None:
            return (f"{self.name}.v%",)
        base = f"{self.name}.v{self.version}"
        if self.config_hash is None:
            return (base, f"{base}+%")
        return (f"{base}+{self.config_hash}",)


# name (letters, digits, - and _), .vVERSION (digits and dots), +HASH (hex)
_ID = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:\.v(?P<version>[0-9][0-9.]*?))?"
                 r"(?:\+(?P<hash>[0-9a-f]{8}))?")


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


def get_detector(name: str | Detector = "default") -> Detector:
    """The detector registered as ``name`` (loaded once per process), or ``name``
    itself when it already is a detector.  A detector whose optional dependencies are
    missing raises :class:`DetectorError`, so every caller (analyze, batch, semeval)
    reports it the same way."""
    if not isinstance(name, str):
        if isinstance(name, Detector):
            return name
        raise TypeError(f"detector must be a name or a Detector, not {type(name).__name__}")
    ref = DetectorRef.parse(name)  # "fast", "fast.v1" and a full id all name fast
    detector = _CACHE.get(ref.name) or _load(ref.name)
    installed = detector_id(detector)
    # The registry name may differ from the detector's own (``fast-nolex`` is a fast
    # detector): only the version and configuration the user named are checked.
    if not replace(ref, name=detector.name).matches(installed):
        raise DetectorError(
            f"{name.strip()} is not the installed detector {installed}",
            fix=f"name it {detector.name!r} to use the installed version",
        )
    return detector


def _load(name: str) -> Detector:
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
