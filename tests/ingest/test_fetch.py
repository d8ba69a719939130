"""Fetching against a real server on loopback: limits, retries, politeness, safety."""

from __future__ import annotations

import time

import pytest

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
from propscope.ingest import USER_AGENT, Fetcher, IngestOptions, check_address


def test_a_page_is_fetched_with_our_user_agent(server, local) -> None:
    with Fetcher(local) as fetcher:
        response = fetcher.get(server("/news/1.html"))
    assert response.status == 200
    assert response.media_type == "text/html"
    assert response.charset == "utf-8"
    assert b"Farm Visit" in response.content
    assert server.headers["/news/1.html"]["user-agent"] == USER_AGENT
    assert (
        USER_AGENT.startswith("propscope/")
        and "+https://github.com/propscope/propscope" in USER_AGENT
    )


def test_loopback_is_refused_without_allow_private(server) -> None:
    options = IngestOptions(timeout=0.5, retries=0)
    before = server.hits["/news/1.html"]
    with Fetcher(options) as fetcher, pytest.raises(AddressRefused, match="127.0.0.1"):
        fetcher.get(server("/news/1.html"))
    assert server.hits["/news/1.html"] == before  # refused before any request


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
    ],
)
def test_private_and_reserved_addresses_are_refused(url: str) -> None:
    with pytest.raises(AddressRefused):
        check_address(url, allow_private=False)


def test_only_http_urls_are_fetched() -> None:
    with pytest.raises(FetchError, match="not an http"):
        check_address("file:///etc/passwd", allow_private=True)


def test_a_redirect_to_a_private_address_is_refused(server, local) -> None:
    # Loopback is allowed by network, so the server is reachable; its redirect to the
    # link-local metadata address must be refused at the second hop.
    local.allow_private = ["127.0.0.0/8"]
    with Fetcher(local) as fetcher, pytest.raises(AddressRefused, match="169.254.169.254"):
        fetcher.get(server("/to-elsewhere"))


def test_allowed_networks_let_only_themselves_through() -> None:
    check_address("http://10.1.2.3/", allow_private=["10.0.0.0/8"])
    with pytest.raises(AddressRefused):
        check_address("http://192.168.1.1/", allow_private=["10.0.0.0/8"])


def test_redirects_are_followed(server, local) -> None:
    with Fetcher(local) as fetcher:
        response = fetcher.get(server("/moved"))
    assert response.url.endswith("/news/1.html")
    assert response.redirects == (server("/news/1.html"),)


def test_a_redirect_loop_is_an_error(server, local) -> None:
    with Fetcher(local) as fetcher, pytest.raises(TooManyRedirects, match="loop"):
        fetcher.get(server("/loop-a"))


def test_too_many_redirects(server, local) -> None:
    local.max_redirects = 0
    with Fetcher(local) as fetcher, pytest.raises(TooManyRedirects, match="more than 0"):
        fetcher.get(server("/moved"))


def test_5xx_is_retried_with_backoff_then_reported(server, local) -> None:
    before = server.hits["/always-500"]
    with Fetcher(local) as fetcher, pytest.raises(HttpStatusError, match="500"):
        fetcher.get(server("/always-500"))
    assert server.hits["/always-500"] - before == local.retries + 1


def test_a_passing_5xx_is_retried_into_success(server, local) -> None:
    with Fetcher(local) as fetcher:
        response = fetcher.get(server("/flaky"))
    assert response.status == 200
    assert server.hits["/flaky"] == 3


def test_404_is_not_retried(server, local) -> None:
    before = server.hits["/nowhere"]
    with Fetcher(local) as fetcher, pytest.raises(HttpStatusError, match="404"):
        fetcher.get(server("/nowhere"))
    assert server.hits["/nowhere"] - before == 1


def test_a_stalling_server_times_out(server, local) -> None:
    local.retries = 0
    started = time.monotonic()
    with Fetcher(local) as fetcher, pytest.raises(FetchTimeout):
        fetcher.get(server("/stall"))
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("path", ["/drip-headers", "/drip-body"])
def test_a_server_dripping_bytes_meets_the_deadline_for_the_whole_answer(
    server, local, path: str
) -> None:
    # One byte every 50 ms never trips the 0.3 s between-bytes timeout; the deadline
    # for the whole answer (4 × timeout), headers included, does.
    local.retries = 0
    local.timeout = 0.3
    started = time.monotonic()
    with Fetcher(local) as fetcher, pytest.raises(FetchTimeout, match="in full"):
        fetcher.get(server(path))
    assert time.monotonic() - started < 3


def test_a_truncated_body_is_an_error(server, local) -> None:
    local.retries = 0
    with Fetcher(local) as fetcher, pytest.raises(TruncatedResponse):
        fetcher.get(server("/truncated"))


def test_a_huge_streamed_body_is_cut_off(server, local) -> None:
    local.retries = 0
    started = time.monotonic()
    with Fetcher(local) as fetcher, pytest.raises(ResponseTooLarge, match="more than"):
        fetcher.get(server("/huge"))
    assert time.monotonic() - started < 5


def test_a_declared_50_mb_body_is_refused_before_reading(server, local) -> None:
    with Fetcher(local) as fetcher, pytest.raises(ResponseTooLarge, match="52,428,800"):
        fetcher.get(server("/big-declared"))


def test_robots_txt_is_obeyed(server, local) -> None:
    with Fetcher(local) as fetcher, pytest.raises(RobotsDisallowed, match="disallows"):
        fetcher.get(server("/private/secret.html"))
    local.respect_robots = False
    with Fetcher(local) as fetcher:
        assert fetcher.get(server("/private/secret.html")).status == 200


def test_conditional_get_uses_the_callers_cache(server, local) -> None:
    cache: dict[str, dict[str, str]] = {}
    with Fetcher(local, cache=cache) as fetcher:
        first = fetcher.get(server("/etag"))
        assert first.status == 200 and not first.not_modified
        assert cache[server("/etag")] == {
            "etag": '"v1"',
            "last_modified": "Wed, 01 May 2024 08:00:00 GMT",
        }
        second = fetcher.get(server("/etag"))
    assert second.not_modified and second.status == 304 and second.content == b""
    assert server.headers["/etag"]["if-none-match"] == '"v1"'


def test_per_host_rate_limit_spaces_requests(server, local) -> None:
    local.rate_limit = 10  # 0.1 s apart
    local.respect_robots = False
    started = time.monotonic()
    with Fetcher(local) as fetcher:
        for _ in range(4):
            fetcher.get(server("/news/2.html"))
    assert time.monotonic() - started >= 0.3


def test_the_socket_layer_refuses_private_addresses_too(server) -> None:
    # Even a request that skips the URL check (as a DNS-rebinding answer would, by
    # resolving differently the second time) is refused where the socket is opened.
    options = IngestOptions(retries=0)
    with Fetcher(options) as fetcher, pytest.raises(AddressRefused):
        fetcher.client.get(server("/news/1.html"))
    options.allow_private = ["127.0.0.0/8"]
    with Fetcher(options) as fetcher:
        assert fetcher.client.get(server("/news/1.html")).status_code == 200


def test_crawl_delay_from_robots_txt_slows_requests(server, local) -> None:
    local.user_agent = "slowbot/1.0"  # robots.txt asks this agent for 1 s between requests
    started = time.monotonic()
    with Fetcher(local) as fetcher:
        fetcher.get(server("/news/1.html"))
        fetcher.get(server("/news/2.html"))
    assert time.monotonic() - started >= 1.0
