"""Ingestion: turn files, pages, feeds and archives into :class:`~propscope.model.Document`s.

The public surface::

    load(sources, options) -> Iterator[Document | ItemError]   every kind of source
    load_one(path_or_url, options) -> Document                 one page or file
    read_inputs(specs, options) -> Iterator[Document | ItemError]  what a command line names
    extract_html(html, url) -> Document                        one HTML page
    feeds.poll(feed_url, state) -> list[FeedEntry]             new entries, for watch

Every document comes out normalised, with page furniture set apart
(``meta["furniture"]``) and fused words repaired, and its ``offset_map`` leads back
to the raw extracted text.  See ``docs/ingest.md``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import closing

from propscope.errors import EmptyInput
from propscope.ingest.feeds import FeedEntry, FeedState, poll
from propscope.ingest.fetch import ConditionalCache, Fetcher, Response, check_address
from propscope.ingest.html import extract_html
from propscope.ingest.inputs import read_documents, read_inputs
from propscope.ingest.kinds import Kind
from propscope.ingest.sources import ingest_entries
from propscope.ingest.types import USER_AGENT, IngestOptions, ItemError
from propscope.model import Document

__all__ = [
    "USER_AGENT",
    "ConditionalCache",
    "FeedEntry",
    "FeedState",
    "Fetcher",
    "IngestOptions",
    "ItemError",
    "Kind",
    "Response",
    "check_address",
    "extract_html",
    "ingest_entries",
    "load",
    "load_one",
    "poll",
    "read_documents",
    "read_inputs",
]


def load(
    sources: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    options: IngestOptions | None = None,
    *,
    fetcher: Fetcher | None = None,
) -> Iterator[Document | ItemError]:
    """Every document of every source, lazily, with an :class:`ItemError` in the place
    of each item that fails.  ``sources`` is one source (a path, URL or ``-``, as a
    str or Path) or several.  ``fetcher`` shares one HTTP client (its rate limits,
    robots cache and conditional-GET cache) with the caller; one is made otherwise.

    The library's name for :func:`read_inputs`: one routing for every face, so an
    extension-less HTML file, an ``ftp://`` address or an empty folder mean the same
    here as to ``propscope analyze`` and ``ingest``."""
    # A str is one source: iterated, "seed.txt" would be seven (".", "/" among them).
    many = [sources] if isinstance(sources, (str, bytes, os.PathLike)) else sources
    yield from read_inputs((os.fsdecode(source) for source in many), options,
                           fetcher=fetcher)


def load_one(
    path_or_url: str | os.PathLike[str], options: IngestOptions | None = None
) -> Document:
    """The first document of one source (a page, a file): for ``propscope analyze
    URL|file.html``.  Raises the item's typed error instead of yielding it."""
    with closing(read_documents([os.fsdecode(path_or_url)], options)) as documents:
        for document in documents:
            return document
    raise EmptyInput(f"{path_or_url} holds no document")
