"""WARC files (web archives, as Heritrix, wget and the Internet Archive write them).

Streamed record by record with warcio: only ``response`` and ``resource`` records with
a 2xx answer and an HTML or plain-text body become documents; redirects, images and
requests are passed over, since they hold no article.  A record over ``max_bytes``,
one that does not extract, or one that is broken (cut short, a lying or missing
length, no target URI) is an item error; where the archive itself breaks, one item
error says where and reading resumes at the next record start (see :func:`_resyncing`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

from propscope.errors import FormatError, InputTooLarge, PropscopeError
from propscope.ingest.decode import unreadable
from propscope.ingest.items import DATA_ERRORS, Item, data_error, guarded
from propscope.ingest.kinds import Kind, PageSource
from propscope.ingest.types import ItemError

_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_CHUNK = 65536
MAX_HEADER_LINE = 64 * 1024
"""A longer WARC or HTTP header line is no real crawler's: the file is broken or hostile."""
MAX_HEADER_BYTES = 256 * 1024
"""All header lines of one record (WARC and HTTP together) may take this much."""
_COMPRESSED_BLOCK = 4096
"""Compressed bytes inflated at a time: deflate expands at most about 1,000-fold, so
a block never becomes more than 4 MB (warcio's 16 KB could become 16 MB of one
header line).  Still large enough that a normal archive is read at full speed."""
MAX_RESYNCS = 100
"""Broken places read past in one file before it is given up: a file that breaks this
often is no archive, and each break is one more line in the run report."""
_SCAN_CHUNK = 1 << 20
_BROKEN_FIX = "the archive is broken or was not written by a crawler; check its source"


def warc_items(reader: PageSource, source: str, path: Path) -> Iterator[Item]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ItemError(source, str(path), unreadable(path, exc))
        return
    with handle:
        if not _looks_like_an_archive(path):
            error = FormatError(
                f"{path} is not a WARC or ARC file (no WARC/ or filedesc:// header)"
            )
            yield ItemError(source, str(path), error)
            return
        yield from _resyncing(reader, source, path, handle)


def _resyncing(reader: PageSource, source: str, path: Path, handle: Any) -> Iterator[Item]:
    """Every record of the file; where the archive itself breaks (a record warcio
    cannot parse, a lying length, a broken gzip member, a header over the cap), one
    item error, then reading resumes at the next record start found in the raw bytes
    — a gzip member's magic, or a ``WARC/1.`` line — so one bad record does not cost
    the million after it.  After :data:`MAX_RESYNCS` breaks the file is given up."""
    packed = handle.read(2) == b"\x1f\x8b"
    numbers = count(1)
    start = 0
    for _ in range(MAX_RESYNCS):
        handle.seek(start)
        iterator = _archive_iterator(handle, str(path))
        try:
            yield from _records(reader, source, path, iterator, numbers)
            return
        except (PropscopeError, *DATA_ERRORS) as exc:
            where = max(iterator.offset, start)
            resume = _next_start(handle, where + 1, packed)
            then = "the rest is not read" if resume is None else f"reading on at byte {resume:,}"
            error = exc if isinstance(exc, PropscopeError) else data_error(str(path), exc)
            message = f"{path}: broken at byte {where:,} ({error.message}); {then}"
            broken = type(error)(message, fix=error.fix or _BROKEN_FIX)
            broken.__cause__ = exc
            yield ItemError(source, str(path), broken)
            if resume is None:
                return
            start = resume
    yield ItemError(source, str(path), FormatError(
        f"{path}: more than {MAX_RESYNCS} broken places; the rest is not read",
        fix=_BROKEN_FIX,
    ))


def _next_start(handle: Any, after: int, packed: bool) -> int | None:
    """The offset of the next record start at or after ``after``, scanning the raw
    file in chunks (bounded memory), or None at the end."""
    magic = b"\x1f\x8b\x08" if packed else b"\nWARC/1."
    skip = 0 if packed else 1  # the line start is after the newline
    handle.seek(max(0, after - skip))
    position = handle.tell()
    tail = b""
    while chunk := handle.read(_SCAN_CHUNK):
        found = (tail + chunk).find(magic)
        if found >= 0:
            return position - len(tail) + found + skip
        tail = (tail + chunk)[-(len(magic) - 1) :]
        position += len(chunk)
    return None


def _records(
    reader: PageSource, source: str, path: Path, iterator: Any, numbers: Iterator[int]
) -> Iterator[Item]:
    """Each page record as a document or an item error; a break in the archive itself
    raises, for :func:`_resyncing`."""
    for number, record in zip(numbers, iterator):
        if record.rec_type not in ("response", "resource"):
            continue
        name = record.rec_headers.get_header("WARC-Target-URI") or f"{path}#{number}"
        try:
            found = _read_record(reader, iterator, record, name)
        except DATA_ERRORS as exc:
            yield ItemError(source, name, data_error(name, exc))
            continue
        if isinstance(found, FormatError):
            yield ItemError(source, name, found)
        elif found is not None:
            data, media, charset = found
            meta = {
                "warc_date": record.rec_headers.get_header("WARC-Date"),
                "warc_record_id": record.rec_headers.get_header("WARC-Record-ID"),
                "warc_file": str(path),
            }
            yield guarded(
                source,
                name,
                lambda d=data, u=name, m=meta, t=media, c=charset: _document(
                    reader, source, u, d, t, c, m
                ),
            )


def _read_record(
    reader: PageSource, iterator: Any, record: Any, name: str
) -> tuple[bytes, str, str | None] | FormatError | None:
    """A page record's body, media type and charset; None for a record that is no
    page (an image, a redirect); a :class:`FormatError` for one that is broken.

    The record is read to its end here, so that a body shorter than its declared
    length (a truncated file) or a length the next record contradicts is known before
    the record becomes a document, rather than kept quietly.
    """
    declared = record.rec_headers.get_header("Content-Length")
    if record.format == "warc" and not (declared or "").strip().isdigit():
        return FormatError(f"{name}: WARC record with a missing or non-numeric "
                           f"Content-Length ({declared!r}); skipped")
    if record.rec_type == "response" and not record.rec_headers.get_header("WARC-Target-URI"):
        return FormatError(f"{name}: WARC response record without a WARC-Target-URI; skipped")
    media, charset = _content_type(record)
    wanted = media in _TEXT_TYPES
    if wanted and record.http_headers is not None:
        status = record.http_headers.get_statuscode() or "200"
        wanted = status.startswith("2")
    data = record.content_stream().read(reader.options.max_bytes + 1) if wanted else b""
    while record.raw_stream.read(_CHUNK):
        pass
    left = getattr(record.raw_stream, "limit", 0)
    warnings = iterator.err_count
    iterator.read_to_end()
    if left:
        return FormatError(f"{name}: WARC record cut short, {left:,} bytes missing; skipped")
    if iterator.err_count > warnings:
        return FormatError(
            f"{name}: WARC record not followed by the next record where its "
            "Content-Length says; skipped"
        )
    return (data, media, charset) if wanted else None


def _archive_iterator(handle: Any, name: str) -> Any:
    """warcio's iterator, made to read a record without a target URI (warcio 1.8
    trips on it with AttributeError), to print nothing to stderr itself, and to read
    record headers within :data:`MAX_HEADER_LINE` and :data:`MAX_HEADER_BYTES`."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.bufferedreaders import DecompressingBufferedReader
    from warcio.recordloader import ArcWarcRecordLoader

    class Loader(ArcWarcRecordLoader):  # type: ignore[misc]
        def _ensure_target_uri_format(self, rec_headers: Any) -> str:
            return super()._ensure_target_uri_format(rec_headers) or ""

    class CappedReader(DecompressingBufferedReader):  # type: ignore[misc]
        """warcio reads header lines whole, however long: one 500 MB line took
        1.7 GB.  Lines are read at most one past the cap, and a record's headers
        (WARC and HTTP) are counted while :class:`Iterator` parses them."""

        budget: int | None = None

        def readline(self, length: int | None = None) -> bytes:
            cap = MAX_HEADER_LINE + 1 if length is None else min(length, MAX_HEADER_LINE + 1)
            line: bytes = super().readline(cap)
            if len(line) > MAX_HEADER_LINE:
                raise InputTooLarge(
                    f"{name}: a WARC header line over {MAX_HEADER_LINE:,} bytes; "
                    "the rest of the file is not read",
                    fix=_BROKEN_FIX,
                )
            if self.budget is not None:
                self.budget -= len(line)
                if self.budget < 0:
                    raise InputTooLarge(
                        f"{name}: WARC record headers over {MAX_HEADER_BYTES:,} bytes; "
                        "the rest of the file is not read",
                        fix=_BROKEN_FIX,
                    )
            return line

    class Iterator(ArchiveIterator):  # type: ignore[misc]
        INC_RECORD = ""  # its warning for a wrong Content-Length: we report it

        def _next_record(self, next_line: Any) -> Any:
            self.reader.budget = MAX_HEADER_BYTES
            try:
                return super()._next_record(next_line)
            finally:
                self.reader.budget = None

    iterator = Iterator(handle)
    iterator.loader = Loader()
    iterator.reader = CappedReader(iterator.fh, block_size=_COMPRESSED_BLOCK)
    return iterator


def _looks_like_an_archive(path: Path) -> bool:
    """warcio reads almost any bytes as some records; check the magic first."""
    import gzip

    try:
        with path.open("rb") as raw:
            head = raw.read(2)
        opener = gzip.open if head == b"\x1f\x8b" else open
        with opener(path, "rb") as stream:
            start = stream.read(16)
    except (OSError, EOFError, zlib.error):  # a corrupt gzip stream is no archive
        return False
    return start.startswith((b"WARC/", b"filedesc://"))


def _content_type(record: Any) -> tuple[str, str | None]:
    from email.message import Message

    headers = record.http_headers if record.http_headers is not None else record.rec_headers
    value = headers.get_header("Content-Type") or ""
    message = Message()
    message["content-type"] = value
    charset = message.get_param("charset")
    return value.split(";")[0].strip().lower(), str(charset).lower() if charset else None


def _document(
    reader: PageSource,
    source: str,
    url: str,
    data: bytes,
    media: str,
    charset: str | None,
    meta: dict[str, Any],
) -> Any:
    options = reader.options
    if len(data) > options.max_bytes:
        raise InputTooLarge(f"{url} (WARC record) is over the limit of {options.max_bytes:,} bytes")
    kind = Kind.TEXT if media == "text/plain" else Kind.HTML
    return reader.page(source, url, data, charset, kind, meta)
