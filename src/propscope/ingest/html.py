"""One HTML page to one document: trafilatura for the article, lxml for what it loses.

trafilatura finds the main text and the metadata (title, date, author, site name)
and drops navigation, share bars and most consent banners.  Two things it cannot
give back are done here, on the parsed tree, before it runs:

* **Captions** (``<figcaption>``, elements whose class names a caption) are taken
  out of the tree and kept in ``meta["furniture"]["caption"]``: a caption describes a
  photo, it is not the article's prose.
* **Inline boundaries**: where a word character touches the start or end of an
  inline element (``<b>Kim Jong Il</b>developed``), a marker character is put in the
  tree; after extraction the markers are taken out again and their offsets become
  the repair's markup hints.  The raw extracted text is therefore exactly what
  trafilatura alone would have produced, and the inserted spaces are in the map.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from propscope.errors import EmptyInput, FormatError
from propscope.ingest.decode import decode_markup
from propscope.ingest.document import build_document, parse_date, warn
from propscope.ingest.markup import SAFE_DEPTH, flatten, sanitise
from propscope.ingest.types import IngestOptions
from propscope.model import Document

INLINE_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "font",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
    ]
)
CAPTION_XPATH = (
    "//figcaption | //*[contains(concat(' ', normalize-space(@class), ' '), ' caption ')"
    " or contains(@class, 'caption-text') or contains(@class, 'wp-caption-text')]"
)
MAX_CAPTION_CHARS = 600
"""Longer "captions" are left to trafilatura: a class name is weak evidence."""
_MARKERS = "\u2af7\u2af8\u29d9\u29d8\u2bd1"
"""Printable characters trafilatura keeps (private-use ones it strips), very rare in
prose; the first one absent from the page is used."""


def extract_html(
    html: str | bytes,
    url: str | None = None,
    *,
    options: IngestOptions | None = None,
    source: str | None = None,
    item: str | None = None,
    declared_charset: str | None = None,
    meta: dict[str, Any] | None = None,
    title: str | None = None,
) -> Document:
    """Extract the article of one HTML page as a :class:`Document`; ``title`` stands
    in where the page names none (a feed entry's title).

    Raises a typed error (never returns None): :class:`~propscope.errors.BinaryInput`
    for bytes that are no page, :class:`~propscope.errors.DecodeError` for an unknown
    encoding, :class:`~propscope.errors.EmptyInput` when no article text is found,
    :class:`~propscope.errors.FormatError` when the markup cannot be parsed at all.
    """
    options = options or IngestOptions()
    name = item or url or source or "page"
    raw = html if isinstance(html, bytes) else None
    info: dict[str, Any] = dict(meta or {})
    if isinstance(html, bytes):
        html, info["encoding"] = decode_markup(
            html,
            source=name,
            declared=declared_charset,
            encoding=options.encoding,
            max_bytes=options.max_bytes,
        )
    html, removed = sanitise(html)
    if removed:
        warn(info, f"{removed} control or non-XML character(s) removed before extraction")
    if not html.strip():
        raise EmptyInput(f"{name} is empty")
    marker = next((m for m in _MARKERS if m not in html), None)
    tree, captions, language = _prepare(html, name, marker, info)
    import trafilatura

    try:
        result = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
        )
    except Exception as exc:  # trafilatura raises bare lxml/ValueError on odd trees
        raise FormatError(f"{name}: the page could not be extracted ({exc})") from exc
    text = getattr(result, "text", None) if result is not None else None
    if not text or not text.strip(marker or " ").strip():
        raise EmptyInput(f"{name} has no article text that could be extracted")
    text, hints = _take_markers(text, marker)
    title = _unmarked(result.title, marker) or title
    author = _unmarked(result.author, marker)
    if author:
        info["author"] = author
    site = _unmarked(result.sitename, marker) or _unmarked(result.hostname, marker)
    if url is None and result.hostname:
        info["hostname"] = result.hostname
    return build_document(
        text,
        options=options,
        source=source or name,
        item=name,
        title=title,
        hints=hints,
        raw=raw,
        furniture={"caption": captions},
        meta=info,
        guess_header=False,
        url=url,
        outlet=site or (urlsplit(url).hostname if url else None),
        published=parse_date(result.date),
        language=language or "en",
    )


def _prepare(
    html: str, name: str, marker: str | None, info: dict[str, Any]
) -> tuple[Any, list[str], str | None]:
    """Parse, take captions out, mark inline boundaries; return the tree."""
    tree = _parse(html, name)
    depth = SAFE_DEPTH
    while tree is None and depth >= SAFE_DEPTH // 4:
        tree = _parse(flatten(html, depth), name)
        warn(info, f"markup nested deeper than {depth} levels was flattened: "
                   "its text is kept, its structure is not")
        depth //= 2
    if tree is None:
        raise FormatError(f"{name}: the HTML is nested too deeply to be parsed")
    language = tree.get("lang") or tree.get("xml:lang")
    captions: list[str] = []
    dropped: set[Any] = set()
    for element in tree.xpath(CAPTION_XPATH):
        if element.getparent() is None or any(a in dropped for a in element.iterancestors()):
            continue  # the root, or inside a caption already taken
        caption = " ".join(element.text_content().split())
        if len(caption) > MAX_CAPTION_CHARS:
            continue  # a container that names itself "caption" but holds the article
        if caption:
            captions.append(caption)
        element.drop_tree()
        dropped.add(element)
    if marker is not None:
        for element in tree.iter(*INLINE_TAGS):
            _mark(element, marker)
    return tree, captions, language.split("-")[0].lower() if language else None


def _parse(html: str, name: str) -> Any:
    """The parsed page, or None when libxml2 stopped at its nesting-depth limit
    (a fatal error after which the tree holds nothing of the page)."""
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as exc:
        if _too_deep(parser):
            return None
        raise FormatError(f"{name}: the HTML could not be parsed ({exc})") from exc
    return None if _too_deep(parser) else tree


def _too_deep(parser: Any) -> bool:
    return any(
        e.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in e.message
        for e in parser.error_log
    )


def _mark(element: Any, marker: str) -> None:
    """Put ``marker`` at the element's start and end where word characters touch."""
    first = _first_char(element)
    if not first:
        return
    if first.isalnum() and _char_before(element).isalnum():
        element.text = marker + (element.text or "")  # before any child, too
    after = element.tail or ""
    if after and after[0].isalnum() and _last_char(element).isalnum():
        element.tail = marker + after


def _first_char(element: Any) -> str:
    """The first character of the element's text, reading no more than needed."""
    for piece in element.itertext():
        if piece:
            return str(piece[0])
    return ""


def _last_char(element: Any) -> str:
    """The last character of the element's text, walking down its last children
    (not ``text_content()``: nested inline elements would make that quadratic)."""
    while len(element):
        child = element[-1]
        if child.tail:
            return str(child.tail[-1])
        element = child
    return str(element.text[-1]) if element.text else ""


def _char_before(element: Any) -> str:
    previous = element.getprevious()
    if previous is not None:
        return str(previous.tail[-1]) if previous.tail else _last_char(previous)
    parent = element.getparent()
    return str(parent.text[-1]) if parent is not None and parent.text else ""


def _take_markers(text: str, marker: str | None) -> tuple[str, list[int]]:
    if marker is None or marker not in text:
        return text, []
    hints: list[int] = []
    parts: list[str] = []
    length = 0
    for k, piece in enumerate(text.split(marker)):
        if k:
            hints.append(length)
        parts.append(piece)
        length += len(piece)
    return "".join(parts), hints


def _unmarked(value: str | None, marker: str | None) -> str | None:
    if not value:
        return None
    return value.replace(marker, "") if marker else value
