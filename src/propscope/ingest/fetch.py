"""Fetching pages politely and safely with httpx.

Why each rule:

* **Refuse private addresses** (the rule of :mod:`propscope.ingest.addresses`:
  loopback, RFC 1918, link-local, reserved, multicast, IPv6 forms carrying one; with
  ``allow_private`` still link-local and cloud metadata ones, unless a network named
  in ``allow_networks`` covers them): propscope may run inside a server that fetches
  URLs users give it, and must not become a way into that server's own network.  The
  host is resolved and *every* address checked, and again after each redirect, since
  a public URL can redirect to ``127.0.0.1``.
* **Caps**: a timeout for connecting and between bytes, a deadline for the whole
  answer, and ``max_bytes`` checked on the declared length and again while streaming,
  so a 50 MB page or an endless body is cut off without being held in memory.
* **Retries** with exponential backoff on 5xx, 429, timeouts and dropped connections:
  these are often passing; 4xx are not, and are not retried.
* **Politeness**: a user agent that says who we are, a per-host rate limit (slowed
  further by a robots.txt ``Crawl-delay``, up to a minute), robots.txt
  (RFC 9309: a robots.txt missing with 4xx allows all, one unreachable disallows all),
  and conditional GET (ETag / Last-Modified) against a small cache the caller keeps,
  so a feed polled every few minutes costs a 304.
* **Redirects** are followed by hand, with a cap and loop detection, so each hop goes
  through the address check.

Every failure is a typed :class:`~propscope.errors.FetchError` with the httpx error
kept as its cause.  The address rule is enforced twice: on each URL before its request
(for a clear message naming the URL) and in the socket layer at connect time, on the
very address connected to (so DNS rebinding cannot slip past).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Self
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from propscope.errors import (
    AddressRefused,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
    TruncatedResponse,
)
from propscope.ingest.addresses import AddressPolicy, check
from propscope.ingest.types import IngestOptions

ConditionalCache = MutableMapping[str, dict[str, str]]
"""URL → ``{"etag": …, "last_modified": …}``; JSON-serialisable, so a caller (the
``watch`` command) can keep it in its database between polls."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_CRAWL_DELAY = 60.0
"""A robots.txt Crawl-delay is honoured up to this many seconds between requests."""
_DEADLINE_FACTOR = 4
"""The whole answer may take this many ``timeout``s: a server dripping one byte a
second never trips the between-bytes timeout, but it trips this."""


@dataclass(frozen=True, slots=True)
class Response:
    """A fetched answer: final URL, status, headers, body (empty on 304)."""

    url: str
    status: int
    headers: dict[str, str]
    content: bytes = b""
    not_modified: bool = False
    redirects: tuple[str, ...] = field(default=())

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        message = Message()
        message["content-type"] = self.headers.get("content-type", "")
        value = message.get_param("charset")
        return str(value).lower() if value else None


def check_address(
    url: str,
    *,
    allow_private: bool | Sequence[str] | AddressPolicy = False,
    allow_networks: Sequence[str] = (),
) -> None:
    """Raise :class:`AddressRefused` if ``url``'s host resolves to any address the
    rule of :mod:`propscope.ingest.addresses` refuses (or :class:`FetchError` if it
    is not http(s) or does not resolve).

    ``allow_private`` is True (private addresses, but never link-local or metadata
    ones), False, or networks allowed besides the global ones (the older spelling of
    ``allow_networks``, e.g. ``["10.0.0.0/8"]`` for an intranet news site).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(
            f"{url} is not an http(s) URL", fix="give a URL starting http:// or https://"
        )
    policy = (
        allow_private
        if isinstance(allow_private, AddressPolicy)
        else AddressPolicy.of(allow_private, allow_networks)
    )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    resolve_allowed(parts.hostname, port, policy, what=url)


def resolve_allowed(
    host: str, port: int, policy: AddressPolicy, *, what: str | None = None
) -> str:
    """Resolve ``host``; return its first address if every address is allowed, else
    raise :class:`AddressRefused` (:class:`FetchError` when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise FetchError(f"{host} does not resolve", fix="check the host name") from exc
    addresses = [str(info[4][0]).split("%")[0] for info in infos]
    for text in addresses:
        check(text, policy, what or host)
    return addresses[0]


class _Deadline(threading.local):
    """The deadline of the request the current thread is making (monotonic seconds),
    or None: set by :meth:`Fetcher._once`, read by every socket operation."""

    at: float | None = None

    def left(self, timeout: float | None, error: type[Exception]) -> float | None:
        """``timeout`` cut to the time left; ``error`` once none is left."""
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            raise error("the deadline for the whole answer has passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write ends by the request's deadline.

    Why: httpx's timeouts bound each read, not the answer, so a server sending one
    header byte a second held a fetch for minutes; here each read may wait only for
    the time the whole answer has left, headers included.
    """

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self.stream = stream
        self.deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        wait = self.deadline.left(timeout, httpcore.ReadTimeout)
        return self.stream.read(max_bytes, wait)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, self.deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wait = self.deadline.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self.stream.start_tls(ssl_context, server_hostname, wait), self.deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket layer, connecting only to the very address it has checked,
    and keeping every socket operation within the request's deadline.

    Why the address check is at this layer: checking a URL's host and then letting
    httpx resolve it again leaves a gap a DNS server can use (DNS rebinding: public
    the first time, 127.0.0.1 the second).  Here the host is resolved once, every
    address checked, and the socket opened to the checked address; TLS still verifies
    the certificate against the host name, which httpcore passes separately.
    """

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self.deadline = _Deadline()

    def connect_tcp(  # type: ignore[override]
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        address = resolve_allowed(host, port, self.policy)
        stream = super().connect_tcp(
            address,
            port,
            timeout=self.deadline.left(timeout, httpcore.ConnectTimeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return _DeadlineStream(stream, self.deadline)


def guarded_transport(
    policy: AddressPolicy, backend: _GuardedBackend | None = None
) -> httpx.HTTPTransport:
    """An httpx transport whose every connection goes through :class:`_GuardedBackend`.

    httpx has no public hook for the socket layer, so the transport's connection pool
    is replaced by one built the same way with the guarded backend.
    """
    transport = httpx.HTTPTransport(trust_env=False)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        network_backend=backend or _GuardedBackend(policy),
    )
    return transport


class Fetcher:
    """One HTTP client with the rules above; use as a context manager, or ``close()``.

    Connections go through :func:`guarded_transport`, so the address rule and the
    deadline hold at the socket, for every connection, redirects included.
    ``transport`` replaces it (e.g. for a proxy); the caller then answers for the
    addresses it reaches.
    """

    def __init__(
        self,
        options: IngestOptions | None = None,
        *,
        cache: ConditionalCache | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.options = options or IngestOptions()
        self.cache = cache
        self.policy = AddressPolicy.of(
            self.options.allow_private, self.options.allow_networks
        )
        self._backend = _GuardedBackend(self.policy)
        self.client = httpx.Client(
            headers={"User-Agent": self.options.user_agent},
            timeout=httpx.Timeout(self.options.timeout),
            follow_redirects=False,
            transport=transport
            if transport is not None
            else guarded_transport(self.policy, self._backend),
            trust_env=False,
        )
        self._robots: dict[str, RobotFileParser | None] = {}
        self._last_request: dict[str, float] = {}
        self._crawl_delay: dict[str, float] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def get(self, url: str) -> Response:
        """GET ``url`` under every rule; a typed :class:`FetchError` on any failure."""
        return self._follow(url, robots=self.options.respect_robots, conditional=True)

    def _follow(self, url: str, *, robots: bool, conditional: bool) -> Response:
        original = url
        seen = [url]
        for _ in range(self.options.max_redirects + 1):
            check_address(url, allow_private=self.policy)
            if robots:
                self._check_robots(url)
            headers = self._validators(original) if conditional and url == original else {}
            response = self._request(url, headers)
            if response.status not in _REDIRECTS:
                break
            location = response.headers.get("location")
            if not location:
                raise HttpStatusError(f"{url} redirects ({response.status}) without a Location")
            url = urljoin(url, location)
            if url in seen:
                raise TooManyRedirects(
                    f"{original} redirects in a loop ({' → '.join(seen + [url])})"
                )
            seen.append(url)
        else:
            raise TooManyRedirects(
                f"{original} redirects more than {self.options.max_redirects} times"
            )
        if response.status == 304:
            return Response(url, 304, response.headers, b"", True, tuple(seen[1:]))
        if response.status >= 400:
            error = HttpStatusError(f"{url} answered HTTP {response.status}")
            error.status = response.status  # type: ignore[attr-defined]
            raise error
        if conditional:
            self._remember(original, response.headers)
        return Response(
            url, response.status, response.headers, response.content, False, tuple(seen[1:])
        )

    def _validators(self, url: str) -> dict[str, str]:
        entry = self.cache.get(url) if self.cache is not None else None
        headers: dict[str, str] = {}
        if entry:
            if entry.get("etag"):
                headers["If-None-Match"] = entry["etag"]
            if entry.get("last_modified"):
                headers["If-Modified-Since"] = entry["last_modified"]
        return headers

    def _remember(self, url: str, headers: dict[str, str]) -> None:
        if self.cache is None:
            return
        entry = {
            k: headers[h]
            for k, h in (("etag", "etag"), ("last_modified", "last-modified"))
            if h in headers
        }
        if entry:
            self.cache[url] = entry

    def _request(self, url: str, headers: dict[str, str]) -> Response:
        """One URL, no redirects, with retries and backoff."""
        attempts = self.options.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._once(url, headers)
            except FetchError as err:
                if last or not _retryable(err):
                    raise
            else:
                if response.status not in _RETRY_STATUS or last:
                    return response
                retry_after = response.headers.get("retry-after", "")
                if retry_after.isdigit():
                    time.sleep(min(float(retry_after), self.options.timeout))
                    continue
            time.sleep(self.options.backoff * (2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        self._wait_turn(url)
        allowed = self.options.timeout * _DEADLINE_FACTOR
        deadline = time.monotonic() + allowed
        self._backend.deadline.at = deadline
        limit = self.options.max_bytes
        try:
            with self.client.stream("GET", url, headers=headers) as answer:
                found = {k.lower(): v for k, v in answer.headers.items()}
                declared = found.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise ResponseTooLarge(
                        f"{url} is {int(declared):,} bytes, over the limit of {limit:,}"
                    )
                chunks: list[bytes] = []
                size = 0
                if answer.status_code not in _REDIRECTS and answer.status_code != 304:
                    for chunk in answer.iter_bytes():
                        size += len(chunk)
                        if size > limit:
                            raise ResponseTooLarge(f"{url} sent more than {limit:,} bytes; stopped")
                        if time.monotonic() > deadline:
                            raise FetchTimeout(
                                f"{url} took longer than {allowed:g} s to send its body"
                            )
                        chunks.append(chunk)
                return Response(str(answer.url), answer.status_code, found, b"".join(chunks))
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise FetchTimeout(
                    f"{url} took longer than {allowed:g} s to answer in full"
                ) from exc
            raise FetchTimeout(
                f"{url} timed out after {self.options.timeout:g} s ({type(exc).__name__})"
            ) from exc
        except httpx.RemoteProtocolError as exc:
            raise TruncatedResponse(f"{url}: the connection broke off ({exc})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{url} could not be fetched: {exc}") from exc
        finally:
            self._backend.deadline.at = None

    def _wait_turn(self, url: str) -> None:
        """Per-host rate limit: at most ``rate_limit`` requests a second to one host,
        and no faster than the host's robots.txt ``Crawl-delay`` asks."""
        host = urlsplit(url).netloc
        interval = 1.0 / self.options.rate_limit if self.options.rate_limit > 0 else 0.0
        interval = max(interval, self._crawl_delay.get(host, 0.0))
        if interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._last_request.get(host, 0.0) + interval)
            self._last_request[host] = start
        if start > now:
            time.sleep(start - now)

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        parser = self._robots[origin]
        if parser is None:
            raise RobotsDisallowed(
                f"{origin}/robots.txt could not be read, so nothing may be fetched"
            )
        if not parser.can_fetch(self.options.user_agent, url):
            raise RobotsDisallowed(f"{origin}/robots.txt disallows {url}")
        delay = parser.crawl_delay(self.options.user_agent)
        if delay:
            self._crawl_delay[parts.netloc] = min(float(delay), MAX_CRAWL_DELAY)

    def _load_robots(self, origin: str) -> RobotFileParser | None:
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            answer = self._follow(origin + "/robots.txt", robots=False, conditional=False)
        except HttpStatusError as err:
            if 400 <= getattr(err, "status", 0) < 500:
                parser.parse([])  # no robots.txt: everything allowed
                return parser
            return None
        except (AddressRefused, ResponseTooLarge):
            raise
        except FetchError:
            return None
        parser.parse(answer.content.decode("utf-8", "replace").splitlines())
        return parser


def _retryable(err: FetchError) -> bool:
    if isinstance(err, (FetchTimeout, TruncatedResponse)):
        return True
    cause = err.__cause__
    return isinstance(cause, (httpx.ConnectError, httpx.ReadError, httpx.WriteError))
