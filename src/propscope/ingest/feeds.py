"""RSS and Atom feeds, read once (as a source) or polled (by ``propscope watch``).

Why entries are fetched rather than taken from the feed: most feeds carry a summary
or the first paragraph only, so by default each entry's link is fetched and its page
extracted, with the feed's title and date as fallbacks.  An entry with no link falls
back to the content the feed carries; one with neither is an item error, and so is a
link that fails — the other entries go on.

:func:`poll` is the primitive of ``watch``: it fetches a feed with conditional GET
and returns only the entries not seen before, keeping what it needs in a
:class:`FeedState` the caller stores (it is plain JSON).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

from propscope.errors import FormatError
from propscope.ingest.document import parse_date
from propscope.ingest.fetch import Fetcher
from propscope.ingest.html import extract_html
from propscope.ingest.items import Item, guarded
from propscope.ingest.kinds import PageSource
from propscope.ingest.types import IngestOptions, ItemError

MAX_SEEN = 10_000
"""Entry ids remembered per feed: far more than any feed lists at once."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed entry: a stable ``id`` (the guid, else the link), its link, title,
    date, and the content the feed carries (HTML, possibly a summary only)."""

    id: str
    link: str | None
    title: str | None
    published: date | None
    content: str | None
    feed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "link": self.link,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "content": self.content,
            "feed": self.feed,
        }


@dataclass
class FeedState:
    """What :func:`poll` remembers about one feed between polls: the HTTP validators
    (for a 304) and the ids already seen, newest last.  ``to_dict``/``from_dict`` give
    the JSON the caller stores."""

    http: dict[str, dict[str, str]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"http": self.http, "seen": self.seen}

    def forget(self, entry_ids: Iterable[str]) -> None:
        """Mark entries unseen again (e.g. those whose page failed to fetch), so the
        next poll that lists them returns them."""
        drop = set(entry_ids)
        self.seen[:] = [i for i in self.seen if i not in drop]
        if drop:
            self.http.clear()  # a 304 would hide them: fetch the feed in full next time

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> FeedState:
        data = data or {}
        return cls(http=dict(data.get("http", {})), seen=list(data.get("seen", [])))


def entries_of(data: bytes, item: str) -> tuple[list[FeedEntry], str | None]:
    """Parse a feed's bytes; raise :class:`FormatError` if it is no feed at all.

    A feed that parses with errors (feedparser's "bozo") but still yields entries is
    read: real feeds are often slightly malformed.
    """
    import feedparser

    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no entries"
        raise FormatError(f"{item} is not a readable RSS or Atom feed ({reason})")
    title = parsed.feed.get("title") or None
    entries = []
    for number, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link") or None
        content = None
        if entry.get("content"):
            content = entry.content[0].get("value")
        content = content or entry.get("summary") or None
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        ident = entry.get("id") or link or f"{item}#{number}"
        entries.append(
            FeedEntry(
                str(ident), link, entry.get("title") or None, parse_date(when), content, title
            )
        )
    return entries, title


def entry_items(
    reader: PageSource, source: str, entries: Iterable[FeedEntry], feed_title: str | None
) -> Iterator[Item]:
    """Documents (or item errors) for feed entries, as described in the module;
    ``reader`` (the caller) fetches and reads each entry's link."""
    for entry in entries:
        fallback = {"title": entry.title, "published": entry.published, "outlet": feed_title}
        if entry.link and reader.options.fetch_feed_links:
            yield from reader.url(source, entry.link, fallback=fallback, expand=False)
        elif entry.content:

            def make(e: FeedEntry = entry) -> Any:
                # The entry's title as the page's, so it heads the text (and is analysed).
                head = f"<head><title>{escape(e.title)}</title></head>" if e.title else ""
                document = extract_html(
                    f"<html>{head}<body><article>{e.content}</article></body></html>",
                    e.link,
                    options=reader.options,
                    source=source,
                    meta={"feed_entry": e.id},
                )
                document.title = document.title or e.title
                document.published = document.published or e.published
                document.outlet = feed_title or document.outlet
                return document

            yield guarded(source, entry.link or entry.id, make)
        else:
            yield ItemError(
                source,
                entry.id,
                FormatError(f"feed entry {entry.id} has neither a link nor any content"),
            )


def poll(
    feed_url: str,
    state: FeedState,
    *,
    options: IngestOptions | None = None,
    fetcher: Fetcher | None = None,
) -> list[FeedEntry]:
    """New entries of ``feed_url`` since the last poll recorded in ``state``.

    Updates ``state`` in place (validators and seen ids).  A 304 answer costs nothing
    and returns ``[]``.  Fetch and parse failures raise a typed error: for ``watch``
    a feed that fails is one item of its report, and the next poll tries again.
    """
    own = fetcher is None
    fetcher = fetcher or Fetcher(options or IngestOptions())
    try:
        previous_cache = fetcher.cache
        fetcher.cache = state.http
        try:
            response = fetcher.get(feed_url)
        finally:
            fetcher.cache = previous_cache
    finally:
        if own:
            fetcher.close()
    if response.not_modified:
        return []
    entries, _ = entries_of(response.content, feed_url)
    seen = set(state.seen)
    new = [entry for entry in entries if entry.id not in seen]
    state.seen.extend(entry.id for entry in new)
    del state.seen[:-MAX_SEEN]
    return new
