"""``propscope watch``: poll feeds on a schedule, store and analyse what is new.

Why so little code: everything that makes a poll cheap and safe already lives
elsewhere — conditional GET, rate limits and robots.txt in the fetcher, dedup by
canonical URL and content hash in the store, incremental analysis in
:mod:`propscope.batch`.  A poll of an unchanged feed therefore stores nothing and
analyses nothing.  This module only reads the schedule and keeps time.

The schedule is a TOML file::

    interval = 900            # seconds between polls of each feed (default 900)
    detector = "fast"         # analyse new texts with it; "" stores without analysing
    db = "news.db"            # optional; --db on the command line wins
    allow_private = false     # true only to poll a server on your own network
    allow_networks = []       # e.g. ["10.1.0.0/16"]: allowed whatever they are
    timeout = 20              # the fetch settings of `propscope ingest`, same names:
    rate_limit = 1.0          #   timeout, rate_limit, retries, backoff, max_redirects,
    respect_robots = true     #   respect_robots, user_agent, max_bytes

    [[feeds]]
    url = "https://example.org/rss.xml"
    interval = 300            # this feed more often
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propscope.batch import RunReport, analyze_store, ingest_documents
from propscope.errors import FormatError, InputNotFound, PropscopeError
from propscope.store.base import Store
from propscope.store.dedup import NearDuplicateIndex

if TYPE_CHECKING:
    from propscope.ingest.types import IngestOptions

DEFAULT_INTERVAL = 900.0
MIN_INTERVAL = 10.0


@dataclass(frozen=True, slots=True)
class Feed:
    url: str
    interval: float


@dataclass(slots=True)
class WatchConfig:
    feeds: list[Feed]
    detector: str = "default"
    db: str | None = None
    allow_private: bool = False
    fetch: dict[str, Any] = field(default_factory=dict)

    def options(self) -> IngestOptions:
        """The ingestion options the schedule asks for (fetch settings by their
        ``IngestOptions`` names; anything not given keeps ingest's default)."""
        from propscope.ingest.types import IngestOptions

        return IngestOptions(allow_private=self.allow_private, **self.fetch)

    @classmethod
    def read(cls, path: str | Path) -> WatchConfig:
        """Parse and check a schedule file; errors name the file and the entry."""
        path = Path(path)
        if not path.is_file():
            raise InputNotFound(f"no schedule file at {path}")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise FormatError(f"{path}: not valid TOML: {exc}") from exc
        except OSError as exc:
            from propscope.ingest.decode import unreadable

            raise unreadable(path, exc) from exc
        default = _interval(data.get("interval", DEFAULT_INTERVAL), f"{path}: interval")
        feeds = []
        entries = data.get("feeds", [])
        if not isinstance(entries, list) or not entries:
            raise FormatError(f"{path}: needs at least one [[feeds]] entry with a url")
        for n, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
                raise FormatError(f"{path}: feed {n} has no url")
            where = f"{path}: feed {n} interval"
            feeds.append(Feed(entry["url"], _interval(entry.get("interval", default), where)))
        detector = data.get("detector", "default")
        if not isinstance(detector, str):
            raise FormatError(f"{path}: detector must be a name")
        if not isinstance(data.get("db", ""), str):
            raise FormatError(f"{path}: db must be a file name or a postgresql:// URL")
        return cls(feeds=feeds, detector=detector, db=data.get("db"),
                   allow_private=bool(data.get("allow_private", False)),
                   fetch=_fetch_settings(path, data))


# Fetch settings a schedule may give, with the type each must have.
_FETCH_SETTINGS: dict[str, type | tuple[type, ...]] = {
    "allow_networks": list, "timeout": (int, float), "rate_limit": (int, float),
    "retries": int, "backoff": (int, float), "max_redirects": int,
    "respect_robots": bool, "user_agent": str, "max_bytes": int,
}


def _fetch_settings(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The schedule's fetch settings, each checked: a wrong type is named with its file,
    not left to fail at the first poll."""
    settings: dict[str, Any] = {}
    for key, kind in _FETCH_SETTINGS.items():
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            raise FormatError(f"{path}: {key} has the wrong type ({type(value).__name__})")
        if key == "allow_networks":
            if not all(isinstance(net, str) for net in value):
                raise FormatError(f"{path}: allow_networks must be a list of CIDR strings")
            value = tuple(value)
        settings[key] = value
    return settings


def _interval(value: Any, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < MIN_INTERVAL:
        raise FormatError(f"{where} must be a number of seconds, at least {MIN_INTERVAL:g}")
    return float(value)


@dataclass(slots=True)
class Round:
    """One poll: which feeds were due, and the ingest and analysis reports."""

    feeds: list[str]
    ingest: RunReport
    analysis: RunReport | None


def watch(
    config: WatchConfig,
    store: Store,
    *,
    rounds: int | None = None,
    on_round: Callable[[Round], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Poll each feed when it is due, ``rounds`` times (forever when ``None``); return
    how many polls ran.  ``on_round`` hears of each one (the CLI prints its report).

    One fetcher serves every poll (its rate limits and robots.txt cache carry over);
    each feed's state (HTTP validators, entry ids seen) is kept in the store, so an
    unchanged feed costs one conditional GET and a restarted watch does not refetch.
    The near-duplicate index is read once and kept: texts another process stores
    meanwhile are not linked to new ones until watch restarts.
    """
    from propscope.ingest.fetch import Fetcher

    options = config.options()
    interval = {feed.url: feed.interval for feed in config.feeds}
    due = dict.fromkeys(interval, 0.0)
    done = 0
    dedup: NearDuplicateIndex | None = None  # built at the first poll, then kept
    with Fetcher(options) as fetcher:
        while rounds is None or done < rounds:
            now = clock()
            ready = [feed.url for feed in config.feeds if due[feed.url] <= now]
            if not ready:
                sleep(max(0.0, min(due.values()) - now))
                continue
            states: dict[str, Any] = {}
            items = _poll_items(store, ready, options, fetcher, states)
            if dedup is None:
                dedup = NearDuplicateIndex.from_signatures(store.signatures())
            ingest = ingest_documents(store, items, dedup=dedup)
            for url, state in states.items():  # after the documents are committed
                store.save_feed_state(url, state.to_dict())
            analysis = None
            if config.detector and ingest.counts.get("texts_added", 0):
                analysis = analyze_store(store, config.detector)
            for url in ready:
                due[url] = clock() + interval[url]
            done += 1
            if on_round:
                on_round(Round(ready, ingest, analysis))
    return done


def _poll_items(
    store: Store, urls: list[str], options: Any, fetcher: Any, states: dict[str, Any]
) -> Iterator[Any]:
    """The new entries of each feed as documents (or item errors); a feed that cannot
    be fetched or parsed is one item error, and the other feeds go on."""
    from propscope.ingest import FeedState, ingest_entries, poll
    from propscope.ingest.types import ItemError

    for url in urls:
        state = FeedState.from_dict(store.feed_state(url))
        try:
            entries = poll(url, state, options=options, fetcher=fetcher)
        except PropscopeError as err:
            yield ItemError(url, url, err)
            continue
        states[url] = state
        # An entry whose page failed (a 500, a timeout) is marked unseen again, so the
        # next poll retries it instead of losing the story.
        entry_of = {key: entry.id for entry in entries for key in (entry.id, entry.link) if key}
        failed: list[str] = []
        for item in ingest_entries(entries, options, fetcher=fetcher, source=url):
            if isinstance(item, ItemError) and item.item in entry_of:
                failed.append(entry_of[item.item])
            yield item
        state.forget(failed)
