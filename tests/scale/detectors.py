"""Detectors the cluster tests ship to Dask workers (importable there as
``tests.scale.detectors``, so the pickled instances find their class)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from propscope.model import Document, Span
from tests.store.conftest import LexiconDetector


class SlowLexicon(LexiconDetector):
    """The store tests' lexicon, sleeping ``delay`` seconds a batch: time for a test to
    kill a worker mid-task.  The spans (and the detector id) are the lexicon's."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__("1")
        self.delay = delay

    def __getstate__(self) -> dict[str, Any]:
        return {"version": self.version, "delay": self.delay}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.version, self.delay = state["version"], state["delay"]

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        time.sleep(self.delay)
        return super().detect(docs)


class BatchSensitiveLexicon(SlowLexicon):
    """The lexicon with a score that depends on the batch the text came in, as the
    neural detector's last digits depend on the padding of its batch: a cluster stores
    what one process stores only if it batches the texts the same way."""

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        return [[Span(s.start, s.end, s.technique, len(docs) / 100, s.detector, s.evidence)
                 for s in spans] for spans in super().detect(docs)]


class BrokenDisk(SlowLexicon):
    """A detector with a bug of the OSError kind: it must reach the caller as itself,
    with its traceback, not as a lost scheduler."""

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        raise OSError(28, "No space left on device")
