"""What ingestion hands out: options in, documents or per-item errors out.

Why a separate error item rather than an exception: a batch (a folder, a feed, a WARC
of a million pages) must go on past a bad item, and the run report must still say
which item failed and why.  So :func:`propscope.ingest.load` yields an
:class:`ItemError` in the item's place and carries on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from propscope.errors import PropscopeError
from propscope.ingest.decode import DEFAULT_MAX_BYTES
from propscope.text.repair import NameLexicon


def _version() -> str:
    try:
        return version("propscope")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0"


USER_AGENT = f"propscope/{_version()} (+https://github.com/propscope/propscope)"
"""Says who is crawling and where to read about it, as polite crawlers do."""


@dataclass
class FetchOptions:
    """How URLs are fetched (:class:`~propscope.ingest.fetch.Fetcher`).

    ``allow_private`` is True (private addresses, never link-local or cloud metadata
    ones), False, or a list of networks (the older spelling of ``allow_networks``).
    ``allow_networks`` names networks allowed whatever they are (``["10.1.0.0/16"]``,
    even ``["169.254.169.254/32"]``): see :mod:`propscope.ingest.addresses`.
    ``rate_limit`` is requests per second per host; ``retries`` the extra tries after a
    5xx answer, a timeout or a dropped connection, spaced by ``backoff`` × 2^n seconds.
    """

    allow_private: bool | Sequence[str] = False
    allow_networks: Sequence[str] = ()
    timeout: float = 20.0
    user_agent: str = USER_AGENT
    rate_limit: float = 1.0
    retries: int = 2
    backoff: float = 0.5
    max_redirects: int = 5
    respect_robots: bool = True


@dataclass
class ReadOptions:
    """How sources are read: size bound, encoding, which field holds the text, how far
    feeds and sitemaps are followed.  ``raw_limit`` bounds the original bytes kept in
    ``Document.provenance.raw``; ``max_bytes`` also caps a fetched answer."""

    max_bytes: int = DEFAULT_MAX_BYTES
    encoding: str | None = None
    fetch_feed_links: bool = True
    text_field: str = "text"
    raw_limit: int = 1024 * 1024
    max_sitemap_depth: int = 3


@dataclass
class TextOptions:
    """What is done to the text: furniture set apart, fused words repaired.  ``names``
    is the lexicon of names for the repair; it learns from every document read, so one
    object shared across calls carries corpus evidence along."""

    repair: bool = True
    furniture: bool = True
    names: NameLexicon = field(default_factory=NameLexicon)


_GROUPS: dict[str, type[Any]] = {"fetch": FetchOptions, "read": ReadOptions, "text": TextOptions}
_GROUP_OF = {f.name: group for group, kind in _GROUPS.items() for f in fields(kind)}


class IngestOptions:
    """Every knob of ingestion, in one object the internals read (trafilatura's pattern),
    in three groups: ``fetch`` (:class:`FetchOptions`), ``read`` (:class:`ReadOptions`)
    and ``text`` (:class:`TextOptions`).

    Why groups behind flat names: a fetcher needs only the fetch group, a text stage
    only the text group, and each group's defaults read together; but every caller
    builds options by keyword (``IngestOptions(max_bytes=…, encoding=…,
    allow_private=…)``) and reads or sets them by name (``options.retries = 0``), so
    each field name still works on the whole, routed to its group.  Groups can be
    given whole too (``IngestOptions(fetch=FetchOptions(timeout=5))``), keywords then
    override their fields.
    """

    __slots__ = ("fetch", "read", "text")

    if TYPE_CHECKING:  # the flat names, for type checkers; at run time see __getattr__
        fetch: FetchOptions
        read: ReadOptions
        text: TextOptions
        allow_private: bool | Sequence[str]
        allow_networks: Sequence[str]
        timeout: float
        user_agent: str
        rate_limit: float
        retries: int
        backoff: float
        max_redirects: int
        respect_robots: bool
        max_bytes: int
        encoding: str | None
        fetch_feed_links: bool
        text_field: str
        raw_limit: int
        max_sitemap_depth: int
        repair: bool
        furniture: bool
        names: NameLexicon

    def __init__(
        self,
        *,
        fetch: FetchOptions | None = None,
        read: ReadOptions | None = None,
        text: TextOptions | None = None,
        **settings: Any,
    ) -> None:
        unknown = sorted(set(settings) - set(_GROUP_OF))
        if unknown:
            raise TypeError(f"IngestOptions() got unexpected keyword arguments {unknown}")
        given = {"fetch": fetch, "read": read, "text": text}
        for group, kind in _GROUPS.items():
            mine = {k: v for k, v in settings.items() if _GROUP_OF[k] == group}
            base = given[group]
            value = kind(**mine) if base is None else replace(base, **mine)
            object.__setattr__(self, group, value)

    def __getattr__(self, name: str) -> Any:
        group = _GROUP_OF.get(name)
        if group is None:
            raise AttributeError(f"IngestOptions has no option {name!r}")
        return getattr(object.__getattribute__(self, group), name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _GROUPS:
            object.__setattr__(self, name, value)
        elif name in _GROUP_OF:
            setattr(getattr(self, _GROUP_OF[name]), name, value)
        else:
            raise AttributeError(f"IngestOptions has no option {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IngestOptions):
            return NotImplemented
        return all(getattr(self, g) == getattr(other, g) for g in _GROUPS)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass

    def __repr__(self) -> str:
        return f"IngestOptions(fetch={self.fetch!r}, read={self.read!r}, text={self.text!r})"

    def copy(self, **settings: Any) -> IngestOptions:
        """A copy with ``settings`` changed; the copy's groups are its own (the name
        lexicon, meant to be shared, is shared)."""
        return IngestOptions(fetch=replace(self.fetch), read=replace(self.read),
                             text=replace(self.text), **settings)

    @staticmethod
    def option_names() -> list[str]:
        """Every flat option name, in group order (for docs and CLI checks)."""
        return list(_GROUP_OF)


@dataclass(frozen=True, slots=True)
class ItemError:
    """One item that could not become a document: where it came from and why.

    ``source`` is the source as the caller gave it (a path, a URL, ``-``); ``item`` the
    item inside it (a file, a line number, a URL, a WARC record); ``error`` the typed
    error, whose ``one_line()`` is what a run report shows.
    """

    source: str
    item: str
    error: PropscopeError

    def one_line(self) -> str:
        return f"{self.item}: {self.error.one_line()}"
