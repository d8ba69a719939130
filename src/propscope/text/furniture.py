"""Tell a scraped page's furniture from its article, in plain text.

Why: a page saved as text (or extracted by a tool that missed some of it) still
carries "Skip links", the headline (often twice), image captions, share bars and a
cookie notice.  Analysed as prose, they yield spurious spans ("improve your web
experience" is not propaganda) and shift the document score; shown to a reader they
are noise.  They are set apart, not thrown away: :class:`Layout` keeps each removed
line under its kind, and the offset map of the body still points into the input.

How, line by line:

* **Anywhere**: lines that are wholly a skip link, a cookie or consent notice, a share
  bar, or a labelled photo credit ("Photo: …") are furniture wherever they stand.
* **Header**: the lines before the first line that reads as body prose (ends like a
  sentence, five words or more, or is long).  There the first remaining line is the
  title (unless the caller knows the title), a line equal to the title is the title
  repeated, a byline or dateline is kept apart as such, and any other line — a line of
  words that does not end like a sentence, standing between headline and article — is
  an image caption.
* **Copyright** lines ("© 2024 …", "… All rights reserved.") likewise, anywhere.

A page with no line of prose keeps all its lines but the explicit furniture: guessing
a header there could leave no body at all.  Patterns live in module-level constants
so they can be read and extended apart from the logic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from propscope.text.offsets import MapBuilder, OffsetMap

SKIP_LINKS = re.compile(
    r"^(skip (links|navigation|to (the )?(main )?(content|navigation|menu|search|article))"
    r"|jump to (the )?(main )?(content|navigation))\W*$",
    re.IGNORECASE,
)
COOKIE_WORD = re.compile(r"\bcookies?\b|🍪", re.IGNORECASE)
COOKIE_CONTEXT = re.compile(
    r"\b(uses?|using|accept|consent|experience|privacy|policy|agree|continu\w*|brows\w*"
    r"|settings|preferences|improve)\b",
    re.IGNORECASE,
)
CONSENT = re.compile(
    r"^(we value your privacy|manage (your )?consent|accept all|reject all|"
    r"(i )?(accept|agree)( and (close|continue))?)\W*$",
    re.IGNORECASE,
)
SHARE_WORDS = frozenset(
    [
        "share",
        "shares",
        "sharing",
        "this",
        "article",
        "story",
        "page",
        "post",
        "on",
        "via",
        "facebook",
        "twitter",
        "x",
        "linkedin",
        "whatsapp",
        "telegram",
        "email",
        "e",
        "mail",
        "print",
        "reddit",
        "pinterest",
        "vk",
        "vkontakte",
        "weibo",
        "wechat",
        "line",
        "copy",
        "link",
        "tweet",
        "messenger",
        "viber",
        "follow",
        "us",
    ]
)
SHARE_ANCHORS = frozenset(
    [
        "share",
        "facebook",
        "twitter",
        "linkedin",
        "whatsapp",
        "telegram",
        "reddit",
        "pinterest",
        "tweet",
    ]
)
PHOTO_CREDIT = re.compile(
    r"^\(?(photo|image|picture|video|credit|caption|photograph)( credit)?\s*[:/]", re.IGNORECASE
)
COPYRIGHT = re.compile(
    r"^(©|\(c\) ?\d{4})|^copyright\b.*\d{4}|\ball rights reserved\b", re.IGNORECASE
)
BYLINE = re.compile(r"^(by|written by|posted by|author:?)\s+[A-Z][\w.'-]*", re.IGNORECASE)
DATELINE = re.compile(
    r"^((published|updated|posted)\s*:?\s*)?"
    r"(\d{1,4}[-./]\d{1,2}[-./]\d{1,4}"
    r"|(\w+,? )?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.? \d{1,2},? \d{4}"
    r"|\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.? \d{4})"
    r"([ ,]+\d{1,2}:\d{2}\s*(am|pm)?)?\W*$",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$|-0-$")

MAX_SHARE_CHARS = 160
"""A share bar is a dozen words at most."""
MAX_NOTICE_CHARS = 400
"""A cookie notice is a sentence or two; a longer line that mentions cookies is prose."""


@dataclass(frozen=True, slots=True)
class Layout:
    """The body of a page and what was set apart from it.

    ``text`` is the body alone, ``offset_map`` maps it back to the input text,
    ``parts`` holds the removed lines by kind (``skip_links``, ``title_line``,
    ``caption``, ``cookie_notice``, ``share_bar``, ``byline``, ``dateline``,
    ``copyright``), and ``title`` is the headline found in the header, if any.
    """

    text: str
    offset_map: OffsetMap
    parts: dict[str, list[str]] = field(default_factory=dict)
    title: str | None = None


def furniture_kind(line: str) -> str | None:
    """The kind of furniture a line is wherever it stands, or None for prose.

    Substring tests run before the regular expressions: nearly every line is prose,
    and for prose they fail at C speed.
    """
    stripped = line.strip()
    if not stripped:
        return None
    if SKIP_LINKS.match(stripped):
        return "skip_links"
    if len(stripped) > MAX_NOTICE_CHARS:
        return None
    lower = stripped.lower()
    if (
        ("cookie" in lower or "🍪" in stripped)
        and COOKIE_WORD.search(stripped)
        and COOKIE_CONTEXT.search(stripped)
    ) or CONSENT.match(stripped):
        return "cookie_notice"
    if len(stripped) <= MAX_SHARE_CHARS and _is_share_bar(lower):
        return "share_bar"
    if PHOTO_CREDIT.match(stripped):
        return "caption"
    if (
        "©" in stripped
        or "copyright" in lower
        or "rights reserved" in lower
        or lower.startswith("(c)")
    ) and COPYRIGHT.search(stripped):
        return "copyright"
    return None


def _is_share_bar(lower: str) -> bool:
    if not any(anchor in lower for anchor in SHARE_ANCHORS):
        return False
    words = [w for w in re.split(r"[^a-z]+", lower) if w]
    return 0 < len(words) <= 12 and all(w in SHARE_WORDS for w in words)


def _is_prose(line: str) -> bool:
    words = line.split()
    return len(words) >= 30 or (len(words) >= 5 and bool(SENTENCE_END.search(line)))


def _header_kind(line: str, title: str | None) -> str:
    if title is not None and line.casefold() == title.casefold():
        return "title_line"
    if BYLINE.match(line):
        return "byline"
    if DATELINE.match(line):
        return "dateline"
    return "caption"


def split_furniture(
    text: str, *, title: str | None = None, guess_header: bool = True, keep_title: bool = False
) -> Layout:
    """Split ``text`` into its body and its furniture (see the module docstring).

    ``title`` is the headline when the caller already knows it (from a JSON field or
    HTML metadata); otherwise the first header line is taken as the title.  With
    ``guess_header=False`` (text an HTML extractor already cut to the article) header
    lines are only removed when they repeat the title: the extractor, not a guess,
    decided the rest belongs to the article.  With ``keep_title`` the first title line
    stays in the body (a headline is analysed like the article; only its repeats are
    furniture), and is still reported as ``Layout.title``.
    """
    lines = [(m.start(), m.end(), m.group().strip()) for m in re.finditer(r"[^\n]+", text)]
    lines = [line for line in lines if line[2]]
    kinds: list[str | None] = [furniture_kind(content) for _, _, content in lines]
    prose = [
        i for i, (_, _, content) in enumerate(lines) if kinds[i] is None and _is_prose(content)
    ]
    found_title = None
    kept = not keep_title  # True once the one title line to keep has been kept
    if prose:
        first = prose[0]
        known = title.strip() if title and title.strip() else None
        for i in range(first):
            if kinds[i] is not None:
                continue
            content = lines[i][2]
            if not guess_header:
                if known is not None and content.casefold() == known.casefold():
                    kinds[i] = "title_line" if kept else None
                    kept = True
                continue
            if known is None and not BYLINE.match(content) and not DATELINE.match(content):
                known = found_title = content
                kinds[i] = "title_line" if kept else None
                kept = True
            else:
                kind = _header_kind(content, known)
                if kind == "title_line" and not kept:
                    kind, kept = None, True
                kinds[i] = kind
    if all(kind is not None for kind in kinds):
        # Nothing would be left: keep every line rather than return an empty body.
        kinds = [None] * len(kinds)
    return _assemble(text, lines, kinds, found_title)


def _assemble(
    text: str, lines: list[tuple[int, int, str]], kinds: list[str | None], title: str | None
) -> Layout:
    parts: dict[str, list[str]] = {}
    for (_, _, content), kind in zip(lines, kinds):
        if kind is not None:
            parts.setdefault(kind, []).append(content)
    if not parts:
        return Layout(text, OffsetMap.identity(len(text)), {}, title)
    builder = MapBuilder(text)
    position = None  # the end of the last line kept
    removed = False  # a line was set apart since then
    for (start, end, _), kind in zip(lines, kinds):
        if kind is not None:
            removed = True
            continue
        if position is None:
            builder.replace(start, "")
        elif removed:
            # Lines were removed in between: one paragraph break stands for them.
            builder.replace(start, "\n\n" if "\n\n" in text[position:start] else "\n")
        builder.copy(end)
        position, removed = end, False
    builder.replace(len(text), "")
    body, offset_map = builder.finish()
    return Layout(body, offset_map, parts, title)
