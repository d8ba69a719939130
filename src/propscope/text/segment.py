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
# A longer line goes to blingfire in pieces (see sentences); a paragraph of news is
# a few thousand characters.
MAX_LINE_CHARS = 100_000
# The loaded C library of the blingfire package (an internal name, stable for years;
# without it the package's own wrapper is used, slower but the same).
_SPLIT = getattr(getattr(blingfire, "blingfire", None), "TextToSentencesWithOffsets", None)


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, in order, trimmed of surrounding spaces.

    A line longer than :data:`MAX_LINE_CHARS` goes to blingfire in pieces (see
    :func:`piece_bounds`): its buffers take ~20 bytes a character of the longest line,
    and a 10 MB line (a crafted page) held 200 MB for them alone."""
    split = _Splitter()
    spans: list[tuple[int, int]] = []
    for match in _LINE.finditer(text):
        line_start, line = match.start(), match.group()
        if line.isspace():
            continue
        cuts = piece_bounds(line, MAX_LINE_CHARS) if len(line) > MAX_LINE_CHARS else None
        for a, b in cuts or [(0, len(line))]:
            chunk, data = _utf8(line if cuts is None else line[a:b])
            for start, end in split(chunk, data):
                start, end = _trim(chunk, start, min(end, len(chunk)))
                if start < end:
                    spans.append((line_start + a + start, line_start + a + end))
    return spans


# Where a long text may be cut, best first: after a line break, after a sentence,
# after a space.
_CUTS = ("\n", ". ", " ")


def piece_bounds(text: str, limit: int) -> list[tuple[int, int]]:
    """``(start, end)`` pieces covering ``text`` in order, each at most ``limit``
    characters and, where the text allows, ending at a line break, a sentence end or
    a space found in its second half (so no piece is shorter than ``limit // 2`` but
    the last).  Linear: each search looks at one piece's characters."""
    if limit < 2:
        raise ValueError(f"limit must be at least 2, not {limit}")
    bounds: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while n - start > limit:
        end = start + limit
        for sep in _CUTS:
            at = text.rfind(sep, start + limit // 2, end)
            if at >= 0:
                end = at + len(sep)
                break
        bounds.append((start, end))
        start = end
    bounds.append((start, n))
    return bounds


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
    """blingfire's sentence splitter with its output buffers reused across the lines
    of a text, grown to the longest line met so far."""

    def __init__(self) -> None:
        self.size = 0

    def __call__(self, chunk: str, data: bytes) -> list[tuple[int, int]]:
        """Character offsets of the sentences of one line."""
        if _SPLIT is None:
            return blingfire.text_to_sentences_and_offsets(chunk)[1] or [(0, len(chunk))]
        if 2 * len(data) + 16 > self.size:
            self.size = 2 * len(data) + 16
            self.out = ctypes.create_string_buffer(self.size)
            self.starts = (ctypes.c_int32 * self.size)()
            self.ends = (ctypes.c_int32 * self.size)()
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
