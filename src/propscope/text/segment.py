"""Sentences and words with offsets into the normalised text.

Sentences come from blingfire (a compiled finite-state splitter) and are then cut at
every line break, since the texts propscope reads (PTC articles, scraped pages) put
at most one sentence on a line far more often than they wrap one across lines.  Each
line goes to blingfire on its own: given a whole text, it reads a line that starts
with "Ms." or "Dr." as a sentence of its own, and line by line it does not.

blingfire's own Python wrapper maps its UTF-8 byte offsets back to characters in a
Python loop over every byte and allocates fresh buffers per call, which made it the
slow part here (about 0.6 MB/s on PTC articles, line by line).  :func:`sentences`
calls the same C function through ctypes with buffers reused across the lines of a
text, and maps offsets only for lines that are not ASCII, by decoding the bytes
between offsets: the same sentences, five to six times faster
(``benchmarks/text_and_faces.py``).

Words come from one regular expression; both return ``(start, end)`` pairs, never
copies of the text, so callers index the document's own string.
"""

from __future__ import annotations

import ctypes
import re

import blingfire

_WORD = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")
_LINE = re.compile(r"[^\n]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# The loaded C library of the blingfire package (an internal name, stable for years;
# without it the package's own wrapper is used, slower but the same).
_SPLIT = getattr(getattr(blingfire, "blingfire", None), "TextToSentencesWithOffsets", None)


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, in order, trimmed of surrounding spaces."""
    lines = [(m.start(), m.group()) for m in _LINE.finditer(text)]
    lines = [(start, *_utf8(chunk)) for start, chunk in lines if not chunk.isspace()]
    if not lines:
        return []
    split = _Splitter(max(len(data) for _, _, data in lines))
    spans: list[tuple[int, int]] = []
    for line_start, chunk, data in lines:
        for start, end in split(chunk, data):
            start, end = _trim(chunk, start, min(end, len(chunk)))
            if start < end:
                spans.append((line_start + start, line_start + end))
    return spans


def without_surrogates(text: str) -> str:
    """``text`` with U+FFFD for each lone surrogate (U+D800–U+DFFF), one character for
    one so offsets still agree: UTF-8, which blingfire and the WordPiece tokenizer
    read, cannot hold one.  The normaliser makes the same edit; this guards callers
    that build a :class:`~propscope.model.Document` from text it never saw."""
    return _SURROGATE.sub("\ufffd", text)


def _utf8(chunk: str) -> tuple[str, bytes]:
    """``chunk`` as blingfire reads it, and its UTF-8 bytes."""
    try:
        return chunk, chunk.encode("utf-8")
    except UnicodeEncodeError:
        chunk = without_surrogates(chunk)
        return chunk, chunk.encode("utf-8")


def words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each word or punctuation mark in ``text[start:end]``."""
    end = len(text) if end is None else end
    return [m.span() for m in _WORD.finditer(text, start, end)]


class _Splitter:
    """blingfire's sentence splitter with its output buffers made once per text."""

    def __init__(self, longest: int) -> None:
        self.size = 2 * longest + 16
        if _SPLIT is not None:
            self.out = ctypes.create_string_buffer(self.size)
            self.starts = (ctypes.c_int32 * self.size)()
            self.ends = (ctypes.c_int32 * self.size)()

    def __call__(self, chunk: str, data: bytes) -> list[tuple[int, int]]:
        """Character offsets of the sentences of one line."""
        if _SPLIT is None:
            return blingfire.text_to_sentences_and_offsets(chunk)[1] or [(0, len(chunk))]
        written = _SPLIT(data, len(data), self.out, self.starts, self.ends, self.size)
        if written <= 0 or written > self.size:
            return [(0, len(chunk))]
        count = ctypes.string_at(self.out, written).count(b"\n") + 1
        # blingfire's ends are inclusive (the last byte of the last character).
        pairs = [(self.starts[k], self.ends[k] + 1) for k in range(count)]
        if len(data) == len(chunk):  # ASCII: bytes are characters
            return pairs
        return _byte_to_char(data, pairs)


def _byte_to_char(data: bytes, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Map ordered UTF-8 byte offsets to character offsets by decoding the bytes
    between them (an offset inside a character moves to the next character)."""
    n = len(data)
    at_byte = at_char = 0

    def to_char(offset: int) -> int:
        nonlocal at_byte, at_char
        offset = max(0, min(offset, n))
        while offset < n and data[offset] & 0xC0 == 0x80:
            offset += 1
        if offset < at_byte:  # out of order: count from the start
            return len(data[:offset].decode("utf-8"))
        at_char += len(data[at_byte:offset].decode("utf-8"))
        at_byte = offset
        return at_char

    return [(to_char(start), to_char(end)) for start, end in pairs]


def _trim(chunk: str, start: int, end: int) -> tuple[int, int]:
    while start < end and chunk[start].isspace():
        start += 1
    while end > start and chunk[end - 1].isspace():
        end -= 1
    return start, end
