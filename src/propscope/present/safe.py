"""Make text that came from input safe to print on a terminal.

Why: propscope prints what adversaries wrote — titles, URLs, file names, error
messages quoting them.  A raw ESC (``\\x1b]0;…`` retitles the window, ``\\x1b[2J``
clears the screen), a C1 control or a bidirectional override in such a string would
act on the reader's terminal instead of being read.  Every face that prints input to
a terminal passes it through :func:`printable` first; machine formats (JSON, CSV,
SemEval files) keep the text exact and rely on their own escaping instead.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
"""The bidi embeddings, overrides and isolates, as a regular-expression range."""
BIDI = re.compile(f"[{BIDI_CONTROLS}]")

# C0 controls but tab and newline, DEL, C1 controls, and the Unicode format characters
# that reorder or hide text (bidi controls; line and paragraph separators, which some
# terminals treat as newlines).

_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, *, one_line: bool = False) -> str:
    """``text`` with every control and reordering character written as a visible
    escape (``\\x1b``, ``\\u202e``).  Tabs and newlines stay, unless ``one_line``
    asks for a value that must fit one line (a file name in an error, a table cell)."""
    pattern = _UNSAFE_ONE_LINE if one_line else _UNSAFE
    return pattern.sub(_escape, str(text))
