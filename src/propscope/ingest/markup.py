"""Make hostile HTML parseable before it reaches lxml and trafilatura.

Why: two cheap tricks made a page's text vanish from analysis.

* **Characters XML forbids** (C0 controls other than tab and line ends, U+FFFE,
  U+FFFF, lone surrogates), raw or as references like ``&#27;``: lxml's HTML parser
  keeps them in the tree, and trafilatura then fails on the tree and returns nothing
  — one ``\\x0c`` anywhere hid a whole page.  They are removed before parsing (form
  feed and vertical tab become a space, as the white space they are); removing
  rather than spacing the rest keeps ``pro\\x1bpaganda`` one word for the detectors.
* **Nesting past libxml2's depth limit** (256 without ``XML_PARSE_HUGE``): the
  parser stops with a fatal error and the page comes out empty.  Raising the limit
  only moves the cliff and lets recursion in the extractor blow up instead, so the
  tags past a safe depth are dropped and their text kept, in one linear pass.

Both are reported in the document's ``meta["warnings"]``.
"""

from __future__ import annotations

import re

SAFE_DEPTH = 200
"""Tags nested deeper than this are flattened once the parser has refused a page;
below libxml2's 256, leaving room for the elements the parser adds itself."""

_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*>")
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
_INLINE = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong"
    " sub sup time u var".split()
)
_CLOSE_SEARCH = 64
"""How far down the open-tag stack a closing tag looks for its opener: bounded, so a
page of unmatched closing tags costs linear time, not quadratic."""


def _xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _replacement(code: int) -> str:
    if code in (0xB, 0xC):
        return " "
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else ""


def sanitise(html: str) -> tuple[str, int]:
    """``html`` without characters (raw or referenced) that XML forbids, and how many
    were taken out."""
    count = 0

    def reference(match: re.Match[str]) -> str:
        nonlocal count
        hexa, decimal = match.group(1), match.group(2)
        code = int(hexa, 16) if hexa else int(decimal)
        if _xml_char(code):
            return match.group(0)
        count += 1
        return _replacement(code)

    if "&#" in html:
        html = _CHAR_REF.sub(reference, html)
    html, raw = _INVALID.subn(lambda m: _replacement(ord(m.group(0))), html)
    return html, count + raw


def flatten(html: str, depth: int = SAFE_DEPTH) -> str:
    """``html`` with every tag nested deeper than ``depth`` dropped and its text kept:
    an inline tag leaves nothing (a word split by ``<b>`` stays one word), any other
    a space.  A tag-level scan, not a parse: good enough for a page the parser has
    already refused."""
    stack: list[str] = []

    def tag(match: re.Match[str]) -> str:
        closing, name = match.group(1), match.group(2).lower()
        if name in _VOID or match.group(0).endswith("/>"):
            return match.group(0)
        gap = "" if name in _INLINE else " "
        if not closing:
            stack.append(name)
            return gap if len(stack) > depth else match.group(0)
        for k in range(len(stack) - 1, max(-1, len(stack) - 1 - _CLOSE_SEARCH), -1):
            if stack[k] == name:
                del stack[k:]
                return gap if k + 1 > depth else match.group(0)
        return match.group(0)  # no opener near the top: the parser ignores it

    return _TAG.sub(tag, html)
