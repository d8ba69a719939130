"""Raw extracted text to a :class:`~propscope.model.Document`: the one path every
reader (text file, JSON line, CSV row, HTML page, feed entry, WARC record) ends in.

Why one path: the stages — normalise, set furniture apart, repair fused words — must
run in the same order with the same maps whatever the source, or a span would mean
different things in different documents.  The offset map of the document is the
composition of the three stages' maps, so it leads from ``Document.text`` back to the
raw extracted text (the text as read, or as trafilatura gave it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from propscope.errors import EmptyInput
from propscope.ingest.types import IngestOptions
from propscope.model import Document, Provenance
from propscope.text.furniture import split_furniture
from propscope.text.normalise import normalise
from propscope.text.offsets import MapBuilder, OffsetMap
from propscope.text.repair import repair


def build_document(
    raw_text: str,
    *,
    options: IngestOptions,
    source: str,
    item: str,
    title: str | None = None,
    hints: Iterable[int] = (),
    raw: bytes | None = None,
    furniture: dict[str, list[str]] | None = None,
    meta: dict[str, Any] | None = None,
    guess_header: bool = True,
    section: str | None = None,
    record_id: str | None = None,
    **fields: Any,
) -> Document:
    """Normalise ``raw_text``, set its furniture apart, repair fused words.

    ``hints`` are offsets into ``raw_text`` of inline-markup boundaries (HTML only);
    ``furniture`` holds parts already removed upstream (captions from ``<figcaption>``);
    ``guess_header`` is off for text an HTML extractor already cut to the article;
    ``fields`` go to the Document (url, outlet, published, language …).  The title
    (given, or the headline line found in the text) is both ``Document.title`` and the
    first paragraph of ``Document.text``, so detectors read it (see
    :func:`_headline_first`).
    """
    meta = dict(meta or {})
    raw_text, count = scrub_surrogates(raw_text)
    if title:
        title, more = scrub_surrogates(title)
        count += more
    if count:
        warn(meta, surrogate_warning(count))
    if not raw_text.strip():
        raise EmptyInput(f"{item} has no text")
    normalised = normalise(raw_text)
    text, offset_map = normalised.text, normalised.offset_map
    parts: dict[str, list[str]] = {k: list(v) for k, v in (furniture or {}).items() if v}
    if options.furniture:
        layout = split_furniture(text, title=title, guess_header=guess_header, keep_title=True)
        text, offset_map = layout.text, offset_map.then(layout.offset_map)
        for kind, lines in layout.parts.items():
            parts.setdefault(kind, []).extend(lines)
        title = title or layout.title
    if not text.strip():
        raise EmptyInput(f"{item} has no article text once page furniture is set apart")
    if title and title.strip():
        text, offset_map = _headline_first(text, offset_map, title)
    repairs: list[dict[str, Any]] = []
    if options.repair:
        local_hints = _map_hints(offset_map, hints)
        repaired = repair(text, lexicon=options.names, hints=local_hints, learn=True)
        if repaired.repairs:
            text, offset_map = repaired.text, offset_map.then(repaired.offset_map)
            repairs = [
                {"at": fix.offset + k, "token": fix.token, "rule": fix.rule}
                for k, fix in enumerate(repaired.repairs)
            ]
    info: dict[str, Any] = {"furniture": parts, "repairs": repairs}
    info.update(meta)
    provenance = Provenance(
        source=source, item=item, section=section, record_id=record_id,
        raw=raw if raw is not None and len(raw) <= options.raw_limit else None,
    )
    return Document(
        text=text,
        title=title.strip() if title else None,
        offset_map=offset_map,
        meta=info,
        provenance=provenance,
        **fields,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub_surrogates(value: Any) -> tuple[Any, int]:
    """``value`` with every lone surrogate replaced by U+FFFD, and how many there were.

    Why: a JSON escape such as ``\\ud800`` decodes to a code point no UTF-8 can encode,
    so the document would fail later, in hashing or storing, and take its whole batch
    with it.  One character for one keeps every offset.  Strings inside lists and dicts
    (keys too) are scrubbed, so a record's metadata is as safe as its text.
    """
    if isinstance(value, str):
        return _SURROGATE.subn("\ufffd", value)
    if isinstance(value, list):
        pairs = [scrub_surrogates(v) for v in value]
        return [v for v, _ in pairs], sum(n for _, n in pairs)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        total = 0
        for key, item in value.items():
            key, k = scrub_surrogates(key)
            out[key], n = scrub_surrogates(item)
            total += k + n
        return out, total
    return value, 0


def surrogate_warning(count: int) -> str:
    return f"{count} lone surrogate code point(s) replaced by U+FFFD"


def warn(meta: dict[str, Any], message: str) -> None:
    """Note something the reader changed or lost in ``meta["warnings"]``: the item
    still becomes a document, and its report says what was not as given."""
    warnings = meta.setdefault("warnings", [])
    if message not in warnings:
        warnings.append(message)


def _headline_first(text: str, offset_map: OffsetMap, title: str) -> tuple[str, OffsetMap]:
    """``text`` with ``title`` as its first paragraph, unless it already starts with it.

    Why: a headline is the most read line of an article and often its most loaded one
    ("… Is Crime: KCNA Commentary"), and gold spans fall in titles too; kept only in
    ``Document.title`` it was never analysed.  A title given apart from the text (a
    JSON field, the page's metadata) is put in front; a title line found in the text
    is left where it is (``split_furniture(keep_title=True)``).  The inserted
    headline maps to the empty stretch at raw offset 0: it is not in the raw text, and
    every other offset still leads where it did.
    """
    headline = normalise(" ".join(title.split())).text
    if not headline or text.lstrip().casefold().startswith(headline.casefold()):
        return text, offset_map
    builder = MapBuilder(text)
    builder.replace(0, headline + "\n\n")
    body, prefix_map = builder.finish()
    return body, offset_map.then(prefix_map)


def _map_hints(offset_map: OffsetMap, hints: Iterable[int]) -> list[int]:
    """Raw-text offsets of markup boundaries, carried into the current text."""
    length = offset_map.raw_length
    return [offset_map.to_norm(h) for h in hints if 0 < h < length]


def parse_date(value: Any) -> date | None:
    """A publication date from what sources give: a date, an ISO string (the first ten
    characters), or a ``time.struct_time`` from feedparser; None when unreadable,
    since a missing date must not cost the document."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time.struct_time):
        return date(value.tm_year, value.tm_mon, value.tm_mday)
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None
