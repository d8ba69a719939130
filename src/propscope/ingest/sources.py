"""Readers for every kind of source, each a generator of documents or item errors.

A source is a file, a URL, a file listing URLs, a feed, a sitemap, a WARC file or
the bytes of standard input; which is which for a command-line argument (``-``, a
folder, a URL of any case) is decided once, in :mod:`propscope.ingest.inputs`.  Each reader streams: it reads one item, yields it, and moves
on, so a million-record WARC or JSONL file never sits in memory; and it catches the
failure of one item as an :class:`~propscope.ingest.types.ItemError` in its place,
so the batch goes on.

Which reader a file gets is decided by its extension, then (for ``.txt``, ``.xml``
and stdin) by a look at its first bytes: a text file whose every line is a URL is a
URL list, XML with ``<urlset>`` is a sitemap, with ``<rss>`` or ``<feed>`` a feed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from propscope.errors import (
    FormatError,
    InputTooLarge,
    PropscopeError,
)
from propscope.ingest.decode import (
    check_encoding,
    decode_bytes,
    decode_markup,
    looks_binary,
    read_bytes,
    unreadable,
)
from propscope.ingest.document import (
    build_document,
    parse_date,
    scrub_surrogates,
    surrogate_warning,
    warn,
)
from propscope.ingest.feeds import FeedEntry, entries_of, entry_items
from propscope.ingest.fetch import Fetcher
from propscope.ingest.html import extract_html
from propscope.ingest.items import Item, bounded, guarded
from propscope.ingest.kinds import Kind
from propscope.ingest.sitemaps import sitemap_urls
from propscope.ingest.types import IngestOptions, ItemError
from propscope.ingest.warc import warc_items
from propscope.model import Document

__all__ = ["Item", "Kind", "Reader", "guarded", "ingest_entries", "kind_of"]

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
XML_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


class Reader:
    """Reads sources under one set of options, sharing one :class:`Fetcher`."""

    def __init__(self, options: IngestOptions, fetcher: Fetcher | None = None) -> None:
        self.options = options
        self._fetcher = fetcher

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher(self.options)
        return self._fetcher

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()

    # --- files (which input is which: propscope.ingest.inputs.read_inputs) --------

    def file(self, source: str, path: Path) -> Iterator[Item]:
        kind = kind_of(path)
        item = str(path)
        if kind == Kind.WARC:
            yield from self.warc(source, path)
            return
        if kind == Kind.JSONL:
            yield from self.jsonl(source, path)
        elif kind == Kind.CSV:
            yield from self.csv(source, path)
        else:
            try:  # refused from its size alone when over the limit, never loaded whole
                data, _ = read_bytes(path, max_bytes=self.options.max_bytes)
            except PropscopeError as err:
                yield ItemError(source, item, err)
                return
            yield from self.data(source, item, data, kind or Kind.TEXT)

    def data(self, source: str, item: str, data: bytes, kind: Kind) -> Iterator[Item]:
        """Bytes of one file (or stdin) read whole, by kind, sniffing where unsure."""
        if kind in (Kind.TEXT, Kind.XML, Kind.SNIFF):
            kind = _sniff(data, kind)
        if kind == Kind.HTML:
            yield guarded(
                source,
                item,
                lambda: extract_html(data, options=self.options, source=source, item=item),
            )
        elif kind == Kind.JSON:
            yield from self.json_document(source, item, data)
        elif kind == Kind.JSONL:
            yield from self._json_lines(source, item, io.BytesIO(data))
        elif kind == Kind.URLS:
            text = decode_bytes(
                data, source=item, encoding=self.options.encoding,
                max_bytes=self.options.max_bytes,
            )
            for line in text.splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    yield from self.url(source, line.strip())
        elif kind == Kind.SITEMAP:
            yield from self.sitemap(source, item, data, depth=0)
        elif kind == Kind.FEED:
            yield from self.feed(source, item, data)
        else:
            yield guarded(source, item, lambda: self._text(source, item, data))

    # --- plain text, JSON, CSV ------------------------------------------------------

    def _text(self, source: str, item: str, data: bytes) -> Document:
        text = decode_bytes(
            data, source=item, encoding=self.options.encoding, max_bytes=self.options.max_bytes
        )
        return build_document(text, options=self.options, source=source, item=item, raw=data)

    def _record(self, source: str, item: str, record: Any, raw: bytes | None) -> Document:
        """One JSON object or CSV row: ``text`` plus the metadata fields it carries."""
        if not isinstance(record, dict):
            raise FormatError(f"{item} is not an object with a {self.options.text_field!r} field")
        record, scrubbed = scrub_surrogates(record)
        text = record.get(self.options.text_field)
        if not isinstance(text, str):
            raise FormatError(f"{item} has no {self.options.text_field!r} field with text")
        known = {
            self.options.text_field,
            "url",
            "title",
            "published",
            "date",
            "outlet",
            "section",
            "language",
            "id",
        }
        extra = {k: v for k, v in record.items() if k not in known and _jsonable(v)}
        meta: dict[str, Any] = {"fields": extra} if extra else {}
        if scrubbed:
            warn(meta, surrogate_warning(scrubbed))
        fields: dict[str, Any] = {
            "url": _str_or_none(record.get("url")),
            "outlet": _str_or_none(record.get("outlet")),
            "published": parse_date(record.get("published") or record.get("date")),
        }
        if isinstance(record.get("language"), str) and record["language"]:
            fields["language"] = record["language"]
        return build_document(
            text,
            options=self.options,
            source=source,
            item=item,
            title=_str_or_none(record.get("title")),
            raw=raw,
            meta=meta,
            section=str(record["section"]) if record.get("section") else None,
            record_id=str(record["id"]) if record.get("id") is not None else None,
            **fields,
        )

    def json_document(self, source: str, item: str, data: bytes) -> Iterator[Item]:
        try:
            value = json.loads(decode_bytes(
                data, source=item, encoding=self.options.encoding,
                max_bytes=self.options.max_bytes,
            ))
        except PropscopeError as err:
            yield ItemError(source, item, err)
            return
        except json.JSONDecodeError as exc:
            yield ItemError(source, item, FormatError(f"{item} is not valid JSON: {exc}"))
            return
        records = value if isinstance(value, list) else [value]
        for k, record in enumerate(records):
            name = f"{item}[{k}]" if isinstance(value, list) else item
            yield guarded(source, name, lambda r=record, n=name: self._record(source, n, r, None))

    def jsonl(self, source: str, path: Path) -> Iterator[Item]:
        try:
            handle = path.open("rb")
        except OSError as exc:
            yield ItemError(source, str(path), unreadable(path, exc))
            return
        with handle:
            yield from self._json_lines(source, str(path), handle)

    def _json_lines(
        self, source: str, item: str, handle: io.BufferedIOBase | Any
    ) -> Iterator[Item]:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            name = f"{item}:{number}"
            yield guarded(source, name, lambda b=line, n=name: self._json_line(source, n, b))

    def _json_line(self, source: str, item: str, line: bytes) -> Document:
        if len(line) > self.options.max_bytes:
            raise InputTooLarge(f"{item} is {len(line):,} bytes, over the limit")
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise FormatError(f"{item} is not valid JSON: {exc}") from exc
        return self._record(source, item, record, line.rstrip(b"\r\n"))

    def csv(self, source: str, path: Path) -> Iterator[Item]:
        # A record is cut at max_bytes by csv_records; no field inside it can be longer.
        csv.field_size_limit(max(csv.field_size_limit(), self.options.max_bytes + 2))
        try:
            if self.options.encoding:
                check_encoding(self.options.encoding)
            handle = path.open(encoding=self.options.encoding or "utf-8-sig", newline="")
        except PropscopeError as err:
            yield ItemError(source, str(path), err)
            return
        except OSError as exc:
            yield ItemError(source, str(path), unreadable(path, exc))
            return
        with handle:
            yield from bounded(source, str(path), self._csv_rows(source, path, handle))

    def _csv_rows(self, source: str, path: Path, handle: io.TextIOBase) -> Iterator[Item]:
        limit = self.options.max_bytes
        records = csv_records(handle, limit)
        header = next(records, None)
        fields = next(csv.reader([header]), []) if header else []
        if self.options.text_field not in fields:
            raise FormatError(f"{path} has no {self.options.text_field!r} column")
        number = 1
        for text in records:
            if text is not None and not text.strip():
                continue  # a blank line, as csv.DictReader skips them
            number += 1
            name = f"{path}:{number}"
            if text is None:
                error = InputTooLarge(f"{name} is a row over the limit of {limit:,} characters")
                yield ItemError(source, name, error)
                continue
            yield guarded(source, name, lambda t=text, n=name: self._csv_row(source, n, fields, t))

    def _csv_row(self, source: str, item: str, fields: list[str], text: str) -> Document:
        values = next(csv.reader([text]), [])
        row: dict[str | None, Any] = dict(zip(fields, values, strict=False))
        for field in fields[len(values):]:
            row[field] = None
        if len(values) > len(fields):
            row[None] = values[len(fields):]  # as csv.DictReader keeps them
        return self._record(source, item, row, None)

    # --- the web ------------------------------------------------------------------

    def url(
        self,
        source: str,
        url: str,
        *,
        fallback: dict[str, Any] | None = None,
        expand: bool = True,
    ) -> Iterator[Item]:
        """A URL: a page becomes a document; a feed or sitemap yields its items.

        ``expand=False`` for the links of a feed or sitemap: a feed entry that links
        to a feed (or to its own feed) is an error, not a loop.
        """
        try:
            response = self.fetcher.get(url)
        except PropscopeError as err:
            yield ItemError(source, url, err)
            return
        kind = _media_kind(response.media_type, response.content)
        if kind in (Kind.FEED, Kind.SITEMAP) and not expand:
            yield ItemError(
                source, url, FormatError(f"{url} is a {kind}, where a page was expected")
            )
            return
        if kind in (Kind.FEED, Kind.SITEMAP):
            if kind == Kind.FEED:
                yield from self.feed(source, response.url, response.content)
            else:
                yield from self.sitemap(source, response.url, response.content, depth=0)
            return
        yield guarded(
            source,
            url,
            lambda: self._page(
                source, response.url, response.content, response.charset, kind, fallback
            ),
        )

    def _page(
        self,
        source: str,
        url: str,
        data: bytes,
        charset: str | None,
        kind: Kind,
        fallback: dict[str, Any] | None,
    ) -> Document:
        title = (fallback or {}).get("title")
        document = self.page(source, url, data, charset, kind, {"fetched_url": url}, title=title)
        for key, value in (fallback or {}).items():
            if getattr(document, key, None) in (None, "") and value:
                setattr(document, key, value)
        return document

    def page(
        self,
        source: str,
        url: str,
        data: bytes,
        charset: str | None,
        kind: Kind,
        meta: dict[str, Any],
        *,
        title: str | None = None,
    ) -> Document:
        """One web page's bytes (fetched, or from a WARC record) as a document:
        ``kind`` is ``Kind.TEXT`` for a plain-text page, anything else for HTML;
        ``title`` (a feed entry's) stands in where the page names none, and so heads
        the text."""
        if kind == Kind.TEXT:
            text, _ = decode_markup(
                data,
                source=url,
                declared=charset,
                encoding=self.options.encoding,
                max_bytes=self.options.max_bytes,
            )
            return build_document(
                text,
                options=self.options,
                source=source,
                item=url,
                raw=data,
                meta=meta,
                title=title,
                url=url,
                outlet=urlsplit(url).hostname,
            )
        return extract_html(
            data, url, options=self.options, source=source, declared_charset=charset, meta=meta,
            title=title,
        )

    def feed(self, source: str, item: str, data: bytes) -> Iterator[Item]:
        try:
            entries, title = entries_of(data, item)
        except PropscopeError as err:
            yield ItemError(source, item, err)
            return
        yield from entry_items(self, source, entries, title)

    def sitemap(self, source: str, item: str, data: bytes, *, depth: int) -> Iterator[Item]:
        try:
            children, pages = sitemap_urls(data, item)
        except PropscopeError as err:
            yield ItemError(source, item, err)
            return
        for child in children:
            if depth >= self.options.max_sitemap_depth:
                yield ItemError(source, child, FormatError(f"{child}: sitemaps nested too deep"))
                continue
            try:
                response = self.fetcher.get(child)
            except PropscopeError as err:
                yield ItemError(source, child, err)
                continue
            yield from self.sitemap(source, child, response.content, depth=depth + 1)
        for page in pages:
            yield from self.url(source, page, expand=False)

    def warc(self, source: str, path: Path) -> Iterator[Item]:
        yield from warc_items(self, source, path)


def ingest_entries(
    entries: Iterable[FeedEntry],
    options: IngestOptions | None = None,
    *,
    fetcher: Fetcher | None = None,
    source: str = "feed",
) -> Iterator[Item]:
    """Documents for entries returned by :func:`propscope.ingest.feeds.poll` (what
    ``watch`` stores)."""
    reader = Reader(options or IngestOptions(), fetcher)
    try:
        for entry in entries:
            yield from entry_items(reader, source, [entry], entry.feed)
    finally:
        if fetcher is None:
            reader.close()


def kind_of(path: Path) -> Kind | None:
    """The kind a file's name says it is; ``None`` when the name does not say."""
    name = path.name.lower()
    if name.endswith(WARC_SUFFIXES):
        return Kind.WARC
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return Kind.TEXT
    if suffix in HTML_SUFFIXES:
        return Kind.HTML
    if suffix == ".json":
        return Kind.JSON
    if suffix in JSONL_SUFFIXES:
        return Kind.JSONL
    if suffix == ".csv":
        return Kind.CSV
    if suffix in XML_SUFFIXES:
        return Kind.XML
    if suffix in (".urls", ".list"):
        return Kind.URLS
    return None


def _sniff(data: bytes, kind: Kind) -> Kind:
    """Decide what a text-ish file really is from its first bytes."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") or kind == Kind.XML:
        if b"<urlset" in head or b"<sitemapindex" in head:
            return Kind.SITEMAP
        if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
            return Kind.FEED
        if kind == Kind.XML:
            return Kind.FEED
    if head.startswith((b"<!doctype html", b"<html")) or (
        kind == Kind.SNIFF and head.startswith(b"<")
    ):
        return Kind.HTML
    if kind == Kind.SNIFF and head.startswith((b"{", b"[")):
        return Kind.JSONL if head.startswith(b"{") and b"\n{" in data[:1_000_000] else Kind.JSON
    if looks_binary(data):
        return Kind.TEXT  # decode_bytes will name it binary
    lines = [
        line.strip()
        for line in data[:65536].splitlines()
        if line.strip() and not line.lstrip().startswith(b"#")
    ]
    if lines and all(URL.match(line.decode("utf-8", "replace")) for line in lines[:200]):
        return Kind.URLS
    return Kind.TEXT


def _media_kind(media_type: str, content: bytes) -> Kind:
    if media_type in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return Kind.FEED
    if media_type in ("application/xml", "text/xml"):
        sniffed = _sniff(content, Kind.XML)
        return sniffed if sniffed in (Kind.FEED, Kind.SITEMAP) else Kind.HTML
    if media_type == "text/plain":
        return Kind.TEXT
    return Kind.HTML


def csv_records(handle: io.TextIOBase | Any, limit: int) -> Iterator[str | None]:
    """The text of each CSV record (its lines joined), or None for a record longer than
    ``limit`` characters, which is read past without being kept.

    Why not let :mod:`csv` find the records: on a field over its limit it raises, and
    the rows after are lost, since no reader can resume inside a quoted field.  A
    record ends at a line end where the double quotes seen so far pair up (``""``
    inside a quoted field adds two), which holds for the default dialect.  Lines are
    read at most ``limit + 1`` characters at a time, so memory stays bounded.
    """
    parts: list[str] = []
    size = quotes = 0
    while line := handle.readline(limit + 1):
        size += len(line)
        quotes += line.count('"')
        if size <= limit:
            parts.append(line)
        else:
            parts = []
        if line.endswith(("\n", "\r")) and quotes % 2 == 0:
            yield "".join(parts) if size <= limit else None
            parts, size, quotes = [], 0, 0
    if size:
        yield "".join(parts) if size <= limit else None


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _jsonable(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool, type(None), list, dict))
