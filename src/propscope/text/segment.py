"""Sentences and words with offsets into the normalised text.

Sentences come from blingfire (a compiled finite-state splitter, about 15 MB/s on
this project's 2-core reference machine) and are then cut at every line break, since
the texts propscope reads (PTC articles, scraped pages) put at most one sentence on a
line far more often than they wrap one across lines.  Words come from one regular
expression; both return ``(start, end)`` pairs, never copies of the text, so callers
index the document's own string.
"""

from __future__ import annotations

import re

import blingfire

_WORD = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")
_LINE = re.compile(r"[^\n]+")


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, in order, trimmed of surrounding spaces."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        line_start = line.start()
        chunk = line.group()
        if not chunk.strip():
            continue
        _, offsets = blingfire.text_to_sentences_and_offsets(chunk)
        if not offsets:
            offsets = [(0, len(chunk))]
        for start, end in offsets:
            start, end = _trim(chunk, start, min(end, len(chunk)))
            if start < end:
                spans.append((line_start + start, line_start + end))
    return spans


def words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each word or punctuation mark in ``text[start:end]``."""
    end = len(text) if end is None else end
    return [m.span() for m in _WORD.finditer(text, start, end)]


def _trim(chunk: str, start: int, end: int) -> tuple[int, int]:
    while start < end and chunk[start].isspace():
        start += 1
    while end > start and chunk[end - 1].isspace():
        end -= 1
    return start, end
