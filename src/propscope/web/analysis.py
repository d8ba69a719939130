"""Analysing what a reader brings: pasted text, an uploaded file, a URL.

Every input goes through the library's one routing (:func:`propscope.ingest.read_inputs`
for files and URLs, :func:`propscope.pipeline.analyze_many` for text), so a text
analysed here gives the spans ``propscope analyze`` gives.  A URL is fetched by the
library's fetcher with ingest's rules (no private or link-local addresses, robots.txt,
size and time caps); this module never opens a connection itself.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from propscope.detect.base import Detector
from propscope.errors import EmptyInput, FormatError, InputTooLarge
from propscope.ingest import IngestOptions, read_documents
from propscope.model import AnalysedDocument, Document
from propscope.pipeline import analyze_many
from propscope.store.base import Store
from propscope.web.errors import Busy

T = TypeVar("T")

UPLOAD_SUFFIXES = (".txt", ".html", ".htm")
"""What an upload may be; its suffix decides how the routing reads it."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one analysis may take: characters of text, bytes of a file or page."""

    max_chars: int = 200_000
    max_bytes: int = 2_000_000


class Gate:
    """At most ``workers`` analyses at once and ``queue`` more waiting; past that,
    :class:`~propscope.web.errors.Busy` (429 with Retry-After) at once, never a
    request that hangs until it times out.  Reading pages and the API do not pass
    through here, so they stay quick while analyses run."""

    def __init__(self, workers: int, queue: int) -> None:
        self._admitted = threading.BoundedSemaphore(workers + queue)
        self._running = threading.BoundedSemaphore(workers)

    def run(self, work: Callable[..., T], *args: Any) -> T:
        if not self._admitted.acquire(blocking=False):
            raise Busy("the server is analysing as many texts as it takes at once")
        try:
            with self._running:
                return work(*args)
        finally:
            self._admitted.release()


def analyse_text(text: str, detector: str | Detector, limits: Limits) -> AnalysedDocument:
    """One pasted text, analysed as ``propscope analyze`` reads a text file."""
    _check_length(text, limits)
    if not text.strip():
        raise EmptyInput("the text is empty")
    return analyze_many([text], detector)[0]


def _check_length(text: str, limits: Limits) -> None:
    if len(text) > limits.max_chars:
        raise InputTooLarge(f"the text has {len(text)} characters; this server takes at most "
                            f"{limits.max_chars}", fix=_SHORTER)


def analyse_shown(text: str, title: str, url: str, detector: str | Detector,
                  limits: Limits) -> AnalysedDocument:
    """A text a result page showed, sent back to be saved: only normalised (a no-op on
    text that was), not read as a page again, so what is stored is what was seen."""
    _check_length(text, limits)
    doc = Document.from_raw(text, title=_field(title), url=_field(url))
    if not doc.text.strip():
        raise EmptyInput("the text is empty")
    return analyze_many([doc], detector)[0]


def _field(value: str) -> str | None:
    """A one-line form field as stored: controls removed (PostgreSQL refuses NUL)."""
    return _CONTROLS.sub("", value).strip() or None


_CONTROLS = re.compile("[\x00-\x1f\x7f]")


def analyse_upload(name: str, data: bytes, detector: str | Detector,
                   limits: Limits) -> AnalysedDocument:
    """An uploaded .txt or .html file, read by its suffix like a file on the command
    line (so an HTML page loses its navigation and keeps its article)."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise FormatError(f"cannot read an upload named {Path(name).name!r}",
                                fix=f"upload a {', '.join(UPLOAD_SUFFIXES)} file")
    if len(data) > limits.max_bytes:
        raise InputTooLarge(f"the file has {len(data)} bytes; this server takes at most "
                            f"{limits.max_bytes}", fix=_SHORTER)
    with tempfile.TemporaryDirectory(prefix="propscope-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"  # the user's name never reaches the disk
        path.write_bytes(data)
        doc = _first(read_documents([str(path)], IngestOptions(max_bytes=limits.max_bytes)))
    doc = Document(text=doc.text, title=doc.title or Path(name).name, url=doc.url,
                   outlet=doc.outlet, published=doc.published, language=doc.language,
                   offset_map=doc.offset_map, meta=doc.meta, provenance=doc.provenance)
    return analyze_many([doc], detector)[0]


def analyse_url(url: str, detector: str | Detector, limits: Limits,
                options: IngestOptions | None = None) -> AnalysedDocument:
    """The page at ``url``, fetched under ingest's address, robots, size and time rules."""
    options = options or IngestOptions(max_bytes=limits.max_bytes, retries=0)
    doc = _first(read_documents([url.strip()], options))
    return analyze_many([doc], detector)[0]


def _first(documents: object) -> Document:
    for doc in documents:  # type: ignore[attr-defined]
        documents.close()  # type: ignore[attr-defined]
        return doc  # type: ignore[no-any-return]
    raise EmptyInput("the input holds no document")


def save(store: Store, result: AnalysedDocument) -> int:
    """Store the document and its analysis in the store; return its text id."""
    added = store.add_documents([result.document])[0]
    run_id = store.start_run("analyze", result.detector)
    counts = {"pending": 1, "analysed": 1, "spans": len(result.spans), "skipped": 0,
              "errors": 0}
    saved = store.save_analyses(run_id, [(added.text_id, result)], counts, [])
    if not saved:  # analysed by this detector before: the stored analysis stands
        counts.update(analysed=0, spans=0, skipped=1)
    store.update_run(run_id, counts, [], finished=True)
    return added.text_id


_SHORTER = "analyse a shorter text, or run propscope analyze on the command line"

__all__ = ["UPLOAD_SUFFIXES", "Gate", "Limits", "analyse_text", "analyse_upload", "analyse_url",
           "save"]
