"""Bytes to text, with the checks every input goes through before it is a document.

Why here and not in each reader: empty, binary, oversized and undecodable input must
give the same clear error whether it arrives as a file, on stdin or over HTTP.
"""

from __future__ import annotations

import codecs
import re
import sys
from pathlib import Path

from propscope.errors import (
    BinaryInput,
    DecodeError,
    EmptyInput,
    InputError,
    InputNotFound,
    InputTooLarge,
    InputUnreadable,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Larger inputs are refused unless the caller raises the limit: a 20 MB text is
about 3 million words, far beyond any article, and more likely a dump or a mistake."""

_BINARY_SIGNATURES = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b",
                      b"\x7fELF", b"BZh", b"\xfd7zXZ")


def looks_binary(data: bytes) -> bool:
    """True for bytes no text format produces: NUL bytes (outside UTF-16), or the
    signature of a common binary format."""
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
        return False  # UTF-16 or UTF-32 with a byte-order mark: NUL bytes are expected
    if head.startswith(_BINARY_SIGNATURES):
        return True
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return len(head) > 0 and controls / len(head) > 0.05


def decode_bytes(
    data: bytes,
    *,
    source: str = "input",
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """Decode ``data`` as text, strictly: UTF-8 (with or without BOM), UTF-16 or UTF-32
    with a BOM, or the ``encoding`` named.  Raises a typed error naming ``source``
    otherwise, rather than guessing quietly: a wrong guess corrupts every offset after
    it."""
    if len(data) > max_bytes:
        raise InputTooLarge(f"{source} is over the limit of {max_bytes:,} bytes")
    if not data or data.isspace():  # isspace, unlike strip, copies nothing
        raise EmptyInput(f"{source} is empty" if not data else f"{source} holds only white space")
    if encoding:
        check_encoding(encoding)
    elif looks_binary(data):
        raise BinaryInput(f"{source} looks like a binary file, not text")
    try:
        if encoding:
            text = data.decode(encoding)
        elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            text = data.decode("utf-32")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        name = encoding or {"utf-8-sig": "UTF-8"}.get(exc.encoding, exc.encoding.upper())
        raise DecodeError(f"{source} is not valid {name} at byte {exc.start:,}") from exc
    if not text or text.isspace():
        raise EmptyInput(f"{source} has no text, only white space")
    return text


def read_bytes(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str]:
    """The bytes of a file (or of stdin for ``-``) and a name for messages, read at
    most ``max_bytes + 1`` bytes: an input over the limit (a file, a pipe, stdin) is
    refused here, after one bounded read or from its size alone, never loaded whole."""
    if str(path) == "-":
        return _within(sys.stdin.buffer.read(max_bytes + 1), "standard input", max_bytes)
    p = Path(path)
    try:
        if p.is_dir():
            raise InputNotFound(f"{p} is a folder, not a file", fix="name a text file in it")
        size = p.stat().st_size if p.is_file() else None  # None: a pipe or device
        if size is not None and size > max_bytes:
            raise InputTooLarge(f"{p} is {size:,} bytes, over the limit of {max_bytes:,} bytes")
        with p.open("rb") as handle:
            # Ask for no more than the file holds: read(n) sets aside n bytes first.
            data = handle.read((max_bytes if size is None else size) + 1)
    except OSError as exc:
        raise unreadable(p, exc) from exc
    return _within(data, str(p), max_bytes)


def _within(data: bytes, name: str, max_bytes: int) -> tuple[bytes, str]:
    """``(data, name)``, or :class:`InputTooLarge` for a stream that gave the one byte
    past the limit that a bounded read asks for."""
    if len(data) > max_bytes:
        raise InputTooLarge(f"{name} is over the limit of {max_bytes:,} bytes")
    return data, name


def unreadable(path: str | Path, exc: OSError) -> InputError:
    """The typed error for a file that cannot be opened or read: missing (PS101), or
    there but unreadable (PS107: permission denied, a broken device, a socket …)."""
    if isinstance(exc, FileNotFoundError):
        return InputNotFound(f"{path} does not exist")
    return InputUnreadable(f"{path} cannot be read: {exc.strerror or exc}")


def check_encoding(encoding: str) -> None:
    """Raise :class:`DecodeError` unless ``encoding`` names a Python codec."""
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise DecodeError(
            f"unknown encoding {encoding!r}", fix="name a Python codec, e.g. utf-8, cp1252"
        ) from exc


def read_text(path: str | Path, *, encoding: str | None = None,
              max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read a text file (or stdin for ``-``) through :func:`decode_bytes`."""
    data, source = read_bytes(path, max_bytes=max_bytes)
    return decode_bytes(data, source=source, encoding=encoding, max_bytes=max_bytes)


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its own head (``<meta charset>`` or the XML
    declaration), read from the first 4 KB as browsers do."""
    head = data[:4096]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def decode_markup(
    data: bytes,
    *,
    source: str = "input",
    declared: str | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[str, str]:
    """Decode an HTML or XML page whose charset may be missing or wrong; return the
    text and the encoding used.

    Why not :func:`decode_bytes`: web pages often declare no charset, or a wrong one
    (a server default of ISO-8859-1 over UTF-8 bytes).  The order: a byte-order mark;
    the caller's ``encoding``; valid UTF-8 (a multi-byte UTF-8 sequence is almost never
    an accident, so it beats a declared single-byte charset); the declared charset
    (``declared`` from the HTTP header, then the page's own); charset-normalizer's
    guess.  Empty, binary and oversized input raise the same typed errors as text.
    """
    if len(data) > max_bytes:
        raise InputTooLarge(f"{source} is over the limit of {max_bytes:,} bytes")
    if not data or data.isspace():
        raise EmptyInput(f"{source} is empty")
    if encoding:
        return decode_bytes(data, source=source, encoding=encoding, max_bytes=max_bytes), encoding
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_bytes(data, source=source, max_bytes=max_bytes), "bom"
    if looks_binary(data):
        raise BinaryInput(f"{source} looks like a binary file, not a web page")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for name in (declared, declared_charset(data)):
        if name and name.replace("-", "").replace("_", "") not in ("utf8",):
            try:
                return data.decode(name), name
            except (UnicodeDecodeError, LookupError):
                continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[:262144]).best()
    if best is None or best.encoding is None:
        raise DecodeError(f"{source} is in no encoding propscope can recognise")
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise DecodeError(f"{source} is not valid {best.encoding}") from exc
