"""WARC files (web archives, as Heritrix, wget and the Internet Archive write them).

Streamed record by record with warcio: only ``response`` and ``resource`` records with
a 2xx answer and an HTML or plain-text body become documents; redirects, images and
requests are passed over, since they hold no article.  A record over ``max_bytes`` or
one that does not extract is an item error; a broken archive ends the file with an
error for it, after every record read before the break.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propscope.errors import FormatError, InputTooLarge
from propscope.ingest.decode import unreadable
from propscope.ingest.types import ItemError

if TYPE_CHECKING:
    from propscope.ingest.sources import Item, Reader

_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


def warc_items(reader: Reader, source: str, path: Path) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from propscope.ingest.sources import guarded

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
        try:
            for number, record in enumerate(ArchiveIterator(handle), start=1):
                if record.rec_type not in ("response", "resource"):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or f"{path}#{number}"
                media, charset = _content_type(record)
                if media not in _TEXT_TYPES:
                    continue
                if record.http_headers is not None:
                    status = record.http_headers.get_statuscode() or "200"
                    if not status.startswith("2"):
                        continue
                data = record.content_stream().read(reader.options.max_bytes + 1)
                meta = {
                    "warc_date": record.rec_headers.get_header("WARC-Date"),
                    "warc_record_id": record.rec_headers.get_header("WARC-Record-ID"),
                    "warc_file": str(path),
                }
                yield guarded(
                    source,
                    url,
                    lambda d=data, u=url, m=meta, t=media, c=charset: _document(
                        reader, source, u, d, t, c, m
                    ),
                )
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
            error = FormatError(f"{path} is not a readable WARC file past this point: {exc}")
            error.__cause__ = exc
            yield ItemError(source, str(path), error)


def _looks_like_an_archive(path: Path) -> bool:
    """warcio reads almost any bytes as some records; check the magic first."""
    import gzip

    try:
        with path.open("rb") as raw:
            head = raw.read(2)
        opener = gzip.open if head == b"\x1f\x8b" else open
        with opener(path, "rb") as stream:
            start = stream.read(16)
    except (OSError, EOFError):
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
    reader: Reader,
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
    kind = "text" if media == "text/plain" else "html"
    return reader.page(source, url, data, charset, kind, meta)
