"""What kind a source is, and the one seam through which format readers reach the web.

Why a seam: the feed and WARC readers need two things the :class:`~propscope.ingest.
sources.Reader` does — fetch a URL and read what comes back (``url``), and turn a
page's bytes into a document (``page``) — and the Reader needs them.  With each
importing the other the modules formed a cycle; now the Reader passes itself in as a
:class:`PageSource`, and no format module imports ``sources``.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any, Protocol

from propscope.ingest.items import Item
from propscope.ingest.types import IngestOptions
from propscope.model import Document


class Kind(StrEnum):
    """The kind of a source or a file, decided by its name, then by a look at its
    first bytes where the name leaves it open (``TEXT``, ``XML``, ``SNIFF``)."""

    TEXT = "text"
    HTML = "html"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    XML = "xml"
    URLS = "urls"
    SITEMAP = "sitemap"
    FEED = "feed"
    WARC = "warc"
    SNIFF = "sniff"


class PageSource(Protocol):
    """What a format reader may ask of the reader that called it."""

    options: IngestOptions

    def url(
        self, source: str, url: str, *, fallback: dict[str, Any] | None = None,
        expand: bool = True,
    ) -> Iterator[Item]:
        """The documents (or item errors) behind one URL, fetched under the options."""
        ...

    def page(
        self, source: str, url: str, data: bytes, charset: str | None, kind: Kind,
        meta: dict[str, Any], *, title: str | None = None,
    ) -> Document:
        """One page's bytes as a document: ``Kind.TEXT`` for plain text, else HTML;
        ``title`` where the page names none."""
        ...
