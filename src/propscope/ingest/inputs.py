"""One routing of inputs: how each thing a user names on a command line is read.

Why one function: ``propscope analyze`` and ``propscope ingest`` (and any caller of the
library) must agree on what ``page`` (an HTML file without a suffix), ``HTTP://…``,
``records.jsonl`` or ``-`` is.  When each face decided for itself, an extension-less
HTML file was raw markup to one and an article to the other, a JSON-lines file gave
``analyze`` its first record only, and an upper-case scheme was taken for a file name.
:func:`read_inputs` decides once:

* ``-`` is standard input, read whole (up to ``max_bytes``) and sniffed like a file
  without a suffix;
* a URL (any case of ``http://`` or ``https://``) is fetched: a page, a feed or a
  sitemap; another scheme (``ftp://``, ``file://``) is refused, not taken for a path;
* a folder gives every file in it that propscope reads;
* a file goes by its suffix (``.html``, ``.jsonl``, ``.csv``, ``.warc.gz`` …: every
  record of it); a file with no suffix or an unknown one is sniffed from its first
  bytes (markup is HTML, a feed or a sitemap; valid JSON is JSON; the rest is text);
* anything else that exists (a FIFO, a device, a socket) is refused as not a regular
  file, instead of blocking on it or calling it missing.

Every input of a run shares one :class:`~propscope.ingest.types.IngestOptions`, and
so one name lexicon (``options.names``) that learns from every document read.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from pathlib import Path

from propscope.errors import (
    EmptyInput,
    FetchError,
    InputNotFound,
    InputUnreadable,
    PropscopeError,
)
from propscope.ingest.decode import decode_bytes, read_bytes, unreadable
from propscope.ingest.fetch import Fetcher
from propscope.ingest.items import bounded, guarded
from propscope.ingest.sources import Reader
from propscope.ingest.sources import kind_of as suffix_kind
from propscope.ingest.types import IngestOptions, ItemError
from propscope.model import Document

STDIN = "-"
STDIN_ID = "stdin"

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_inputs(
    specs: Iterable[str | Path],
    options: IngestOptions | None = None,
    *,
    raw: bool = False,
    fetcher: Fetcher | None = None,
) -> Iterator[Document | ItemError]:
    """Every document of every input, lazily, with an :class:`ItemError` in the place of
    each one that fails (a batch goes on past it).

    ``raw`` reads text (a text file, text on stdin) exactly as it is, only normalised:
    no furniture removal, no name repair.  Each document without an id gets the name
    of the item it came from (``stdin`` for standard input), so a report can name it.
    """
    reader = Reader(options or IngestOptions(), fetcher)
    try:
        for spec in specs:
            text = str(spec)
            # A source that breaks off part-way (an undecodable URL list, a truncated
            # archive) ends with one item error; what it gave before is kept.
            for item in bounded(text, text, _route(reader, text, raw=raw)):
                if isinstance(item, Document) and not item.id:
                    item.id = STDIN_ID if text == STDIN else str(item.provenance.item or text)
                yield item
    finally:
        if fetcher is None:
            reader.close()


def read_documents(
    specs: Iterable[str | Path],
    options: IngestOptions | None = None,
    *,
    raw: bool = False,
) -> Iterator[Document]:
    """:func:`read_inputs` for a caller that stops at the first failure (``analyze``):
    raises that item's typed error instead of yielding it."""
    with closing(read_inputs(specs, options, raw=raw)) as items:
        for item in items:
            if isinstance(item, ItemError):
                raise item.error
            yield item


def url_of(spec: str) -> str | None:
    """``spec`` as an http(s) URL with its scheme lower-cased (schemes are
    case-insensitive: RFC 3986), or ``None`` when it names no URL at all.  Raises
    :class:`FetchError` for another scheme, rather than reading it as a file name."""
    match = _SCHEME.match(spec.strip())
    if match is None:
        return None
    scheme = match["scheme"].lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"{spec} is a {scheme}:// URL; propscope fetches http and https only",
                         fix="download it, then give the file")
    return scheme + spec.strip()[len(match["scheme"]):]


def _route(reader: Reader, spec: str, *, raw: bool) -> Iterator[Document | ItemError]:
    if spec == STDIN:
        limit = reader.options.max_bytes
        yield from _guard_read(spec, spec, lambda: read_bytes(STDIN, max_bytes=limit),
                               lambda data, item: _bytes(reader, spec, item, data, None, raw))
        return
    try:
        url = url_of(spec)
    except PropscopeError as err:
        yield ItemError(spec, spec, err)
        return
    if url is not None:
        yield from reader.url(spec, url)
        return
    path = Path(spec)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        yield ItemError(spec, spec, unreadable(path, exc))
        return
    if stat.S_ISDIR(mode):
        yield from _folder(reader, spec, path, raw=raw)
    elif stat.S_ISREG(mode):
        yield from _file(reader, spec, path, raw=raw)
    else:
        what = next((name for test, name in _SPECIAL_FILES if test(mode)), "not a file")
        yield ItemError(spec, spec, InputUnreadable(
            f"{spec} is {what}, not a regular file",
            fix="give a regular file, or pipe the stream to standard input with -"))


def _folder(
    reader: Reader, spec: str, folder: Path, *, raw: bool
) -> Iterator[Document | ItemError]:
    found = False
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if not path.name.startswith(".") and suffix_kind(path) is not None:
            found = True
            yield from _file(reader, spec, path, raw=raw)
    if not found:
        yield ItemError(spec, spec, InputNotFound(
            f"{spec} is a folder with no file propscope reads in it",
            fix="name a file, or put .txt, .html, .json, .jsonl, .csv or WARC files in it"))


def _file(reader: Reader, spec: str, path: Path, *, raw: bool) -> Iterator[Document | ItemError]:
    kind = suffix_kind(path)
    if kind not in (None, "text"):  # a known format: every record of it
        yield from reader.file(spec, path)
        return
    limit = reader.options.max_bytes
    yield from _guard_read(spec, str(path), lambda: read_bytes(path, max_bytes=limit),
                           lambda data, item: _bytes(reader, spec, item, data, kind, raw))


def _guard_read(
    spec: str,
    name: str,
    read: Callable[[], tuple[bytes, str]],
    then: Callable[[bytes, str], Iterator[Document | ItemError]],
) -> Iterator[Document | ItemError]:
    """Read an input's bytes (``read`` refuses more than the limit: ``read_bytes``); a
    failure is the error of item ``name`` (the file, also when ``spec`` named its
    folder), else hand them on."""
    try:
        data, item = read()
    except PropscopeError as err:
        yield ItemError(spec, name, err)
        return
    yield from then(data, item)


def _bytes(
    reader: Reader, spec: str, item: str, data: bytes, kind: str | None, raw: bool
) -> Iterator[Document | ItemError]:
    """Text, or (no suffix, or stdin) whatever the first bytes say it is."""
    if raw:
        yield guarded(spec, item, lambda: _raw_text(reader.options, item, data))
        return
    for found in reader.data(spec, item, data, "text" if kind == "text" else _sniff(data)):
        if isinstance(found, ItemError) and isinstance(found.error, EmptyInput):
            blank = _blank_once_normalised(reader.options, item, data)
            found = blank or found
        yield found


def _blank_once_normalised(options: IngestOptions, item: str, data: bytes) -> Document | None:
    """A text that decodes to something yet is blank once normalised (only invisible
    characters) comes back as its document, for the pipeline to say why: that names
    the cause better than "no article text once page furniture is set apart"."""
    try:
        document = _raw_text(options, item, data)
    except PropscopeError:
        return None
    return document if not document.text.strip() else None


def _sniff(data: bytes) -> str:
    """For an input with no suffix to go by: markup and valid JSON are read as such
    (the reader tells HTML, feeds and sitemaps apart); the rest is text, which the
    reader still checks for a list of URLs."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "sniff"
    if head.startswith((b"{", b"[")):
        try:
            json.loads(data)
        except ValueError:  # JSON lines, or text that opens with a bracket
            first = data.split(b"\n", 1)[0]
            try:
                json.loads(first)
            except ValueError:
                return "text"
        return "sniff"
    return "text"


def _raw_text(options: IngestOptions, item: str, data: bytes) -> Document:
    text = decode_bytes(data, source=item, encoding=options.encoding, max_bytes=options.max_bytes)
    return Document.from_raw(text, id=STDIN_ID if item == "standard input" else item)
