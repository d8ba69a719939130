"""What ingestion hands out: options in, documents or per-item errors out.

Why a separate error item rather than an exception: a batch (a folder, a feed, a WARC
of a million pages) must go on past a bad item, and the run report must still say
which item failed and why.  So :func:`propscope.ingest.load` yields an
:class:`ItemError` in the item's place and carries on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

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
class IngestOptions:
    """Every knob of ingestion, in one object the internals read (trafilatura's pattern).

    ``allow_private`` is True (private addresses, never link-local or cloud metadata
    ones), False, or a list of networks (the older spelling of ``allow_networks``).
    ``allow_networks`` names networks allowed whatever they are (``["10.1.0.0/16"]``,
    even ``["169.254.169.254/32"]``): see :mod:`propscope.ingest.addresses`.
    ``rate_limit`` is requests per second per host; ``retries`` the extra tries after a
    5xx answer, a timeout or a dropped connection, spaced by ``backoff`` × 2^n seconds.
    ``raw_limit`` bounds the original bytes kept in ``Document.meta["raw"]``.
    ``names`` is the lexicon of names for fused-word repair; it learns from every
    document read, so one object shared across calls carries corpus evidence along.
    """

    allow_private: bool | Sequence[str] = False
    allow_networks: Sequence[str] = ()
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = 20.0
    user_agent: str = USER_AGENT
    rate_limit: float = 1.0
    retries: int = 2
    backoff: float = 0.5
    max_redirects: int = 5
    respect_robots: bool = True
    encoding: str | None = None
    repair: bool = True
    furniture: bool = True
    fetch_feed_links: bool = True
    text_field: str = "text"
    raw_limit: int = 1024 * 1024
    max_sitemap_depth: int = 3
    names: NameLexicon = field(default_factory=NameLexicon)


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
