"""Normalise raw text for analysis, keeping the map back to the raw offsets.

What changes, and why:

* Unicode NFC, so that "é" is one code point whatever the source did, and offsets
  agree between a browser, the database and Python.
* Line ends: ``\\r\\n`` and ``\\r`` become ``\\n``.
* Invisible characters (zero-width spaces and joiners, soft hyphens, byte-order
  marks, C0/C1 controls but tab and newline) are dropped: they split words in two for
  every tokeniser while showing nothing to a reader.
* Horizontal white space (tabs, no-break and other Unicode spaces) becomes one plain
  space; spaces at the start and end of lines and of the text go; three or more line
  breaks become one blank line.
* Curly quotes become straight ones (one for one, so these need no map entry), which
  lets one lexicon entry and one tokeniser rule match either form.
* A lone surrogate (U+D800–U+DFFF: what ``errors="surrogateescape"`` makes of a bad
  byte, or half of a UTF-16 pair) becomes U+FFFD, one for one: it cannot be encoded
  as UTF-8, which the sentence splitter, the tokenizers and the stores all need.

Everything else is copied as it is.  Already-normal text takes a fast path and gets an
identity map.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from propscope.text.offsets import MapBuilder, OffsetMap

_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"'}

_SPACE_CHARS = " \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_INVISIBLE_CHARS = (
    "\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200d\u2060\ufeff"
)
_RUN_CHARS = f"{_SPACE_CHARS}{_INVISIBLE_CHARS}\r\n"
# Characters that need an edit even alone: all but a plain space and a plain "\n".
_EDIT_CHARS = f"\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000{_INVISIBLE_CHARS}\r"

# What may need an edit: a run of two or more white-space or invisible characters
# (always taken whole, so a run is classified once), one character that is never
# left as it is, white space at either end of the text, or a curly quote.  A lone
# space or line break between words, by far the most common case, never matches, so
# ordinary text is scanned at the regex engine's speed.
_EDITS = re.compile(
    f"[{_RUN_CHARS}]{{2,}}|[{_EDIT_CHARS}]|\\A[{_RUN_CHARS}]|[{_RUN_CHARS}]\\Z"
    f"|(?P<quote>[{''.join(_QUOTES)}])|(?P<surrogate>[\ud800-\udfff])"
)
_HAS_SPACE = re.compile(f"[{_SPACE_CHARS}]")


# Jamo that compose with a preceding syllable or jamo under NFC.
_COMBINING_JAMO = re.compile("[\u1160-\u11ff]")


@dataclass(frozen=True, slots=True)
class Normalised:
    text: str
    offset_map: OffsetMap


def normalise(raw: str) -> Normalised:
    """Return the normalised text of ``raw`` and the map from it back to ``raw``.

    The edits run before NFC, not after: dropping an invisible character can bring a
    base letter and a combining mark together, and only a composition done last
    leaves a text that normalising again does not change.  NFC never produces a
    character the edits act on (checked over all of Unicode by the tests), so the
    result is stable.
    """
    text, edit_map = _apply_edits(raw)
    if unicodedata.is_normalized("NFC", text):
        return Normalised(text, edit_map)
    text, nfc_map = _nfc_with_map(text)
    return Normalised(text, edit_map.then(nfc_map))


def _apply_edits(raw: str) -> tuple[str, OffsetMap]:
    """White space, invisibles and quotes, in one pass.

    A run of white space and invisible characters becomes: nothing at either end of
    the text; a blank line ("\\n\\n") if it holds two or more line breaks ("\\r\\n"
    counts as one); one "\\n" if it holds one; one space if it holds any space;
    nothing if it holds only invisibles.
    """
    builder = MapBuilder(raw)
    length = len(raw)
    for match in _EDITS.finditer(raw):
        start, end = match.span()
        run = match.group()
        if match.lastgroup == "quote":
            new = _QUOTES[run]
        elif match.lastgroup == "surrogate":
            new = "\ufffd"
        elif start == 0 or end == length:
            new = ""
        else:
            breaks = run.count("\n") + run.count("\r") - run.count("\r\n")
            if breaks >= 2:
                new = "\n\n"
            elif breaks == 1:
                new = "\n"
            else:
                new = " " if _HAS_SPACE.search(run) else ""
        if new != run:
            builder.copy(start)
            builder.replace(end, new)
    return builder.finish()


def _nfc_with_map(raw: str) -> tuple[str, OffsetMap]:
    """NFC cluster by cluster: a starter and every character after it that can
    combine with what precedes it.

    Composition never reaches back past a character that cannot combine backwards,
    so normalising each cluster alone gives the same text as normalising the whole,
    and each changed cluster becomes one map entry.  Characters that combine
    backwards are the combining marks, the Hangul vowel and trailing jamo, and a few
    dozen starters (Bengali, Tamil, Kannada vowel signs …) that are the second half of
    a canonical pair; see :func:`_combines_backwards`.
    """
    builder = MapBuilder(raw)
    i, n = 0, len(raw)
    while i < n:
        j = i + 1
        while j < n and _combines_backwards(raw[j]):
            j += 1
        cluster = raw[i:j]
        composed = unicodedata.normalize("NFC", cluster)
        if composed != cluster:
            builder.copy(i)
            builder.replace(j, composed, one_for_one=False)
        i = j
    return builder.finish()


def _combines_backwards(char: str) -> bool:
    return bool(
        unicodedata.combining(char)
        or _COMBINING_JAMO.match(char)
        or char in _starters_that_compose()
    )


@functools.cache
def _starters_that_compose() -> frozenset[str]:
    """Starters (combining class 0) that are the second character of a canonical
    decomposition pair, read from the running Python's Unicode database once (about
    0.2 s, and only for a text that is not already NFC)."""
    found = set()
    for code in range(0x110000):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                second = chr(int(parts[1], 16))
                if not unicodedata.combining(second):
                    found.add(second)
    return frozenset(found)
