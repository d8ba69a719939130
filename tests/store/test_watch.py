"""``watch`` against a real HTTP server on loopback: new entries once, nothing twice."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from propscope.detect.base import register
from propscope.errors import FormatError, InputNotFound
from propscope.store import Store
from propscope.watch import Round, WatchConfig, watch

from .conftest import LexiconDetector

PAGE = """<html><head><title>{title}</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{title}</h1>
<p>The heinous imperialist puppet forces staged yet another provocation on {day}, the
agency said in a statement released in the capital this morning.</p>
<p>Workers of the {place} complex pledged to overfulfil the plan and answered the call
with innovations in production, according to the report published on {day}.</p>
<p>Observers noted that the output of the {place} complex rose for the third month in a
row, and that new machines were installed in the main workshop last week.</p>
</article><footer>Copyright</footer></body></html>"""


def _feed(base: str, items: list[str]) -> str:
    entries = "".join(
        f"<item><title>Story {n}</title><link>{base}/story/{n}.html</link>"
        f"<guid>{base}/story/{n}.html</guid><pubDate>Mon, 0{n} Jan 2024 08:00:00 GMT</pubDate>"
        "</item>"
        for n in items
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test Agency</title>'
            f"<link>{base}/</link><description>d</description>{entries}</channel></rss>")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static site on loopback (the stdlib server answers If-Modified-Since with 304)."""
    root = tmp_path / "site"
    (root / "story").mkdir(parents=True)
    for n, place in (("1", "Hamhung"), ("2", "Chongjin"), ("3", "Sinuiju")):
        (root / "story" / f"{n}.html").write_text(
            PAGE.format(title=f"Story {n}", day=f"January {n}", place=place), encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()


def _schedule(tmp_path: Path, feed_url: str) -> WatchConfig:
    path = tmp_path / "sources.toml"
    path.write_text(f'interval = 60\ndetector = "lexicon-test"\nallow_private = true\n'
                    f'[[feeds]]\nurl = "{feed_url}"\n', encoding="utf-8")
    return WatchConfig.read(path)


@pytest.mark.slow
def test_watch_stores_and_analyses_new_entries_once(
    store: Store, site: tuple[str, Path], tmp_path: Path
) -> None:
    register("lexicon-test", LexiconDetector)
    base, root = site
    (root / "feed.xml").write_text(_feed(base, ["1", "2"]), encoding="utf-8")
    config = _schedule(tmp_path, f"{base}/feed.xml")
    polls: list[Round] = []
    assert watch(config, store, rounds=1, on_round=polls.append) == 1
    first = polls[-1]
    assert first.ingest.counts["texts_added"] == 2, first.ingest.errors
    assert first.analysis is not None and first.analysis.counts["analysed"] == 2
    # Unchanged feed: a conditional GET, nothing new.
    watch(config, store, rounds=1, on_round=polls.append)
    assert polls[-1].ingest.counts["documents"] == 0 and polls[-1].analysis is None
    # A new entry: only it is fetched, stored and analysed.
    (root / "feed.xml").write_text(_feed(base, ["1", "2", "3"]), encoding="utf-8")
    later = time.time() + 5  # a newer Last-Modified than the first answer's
    os.utime(root / "feed.xml", (later, later))
    watch(config, store, rounds=1, on_round=polls.append)
    third = polls[-1]
    assert third.ingest.counts["documents"] == 1 and third.ingest.counts["texts_added"] == 1
    assert third.analysis is not None and third.analysis.counts["analysed"] == 1
    stats = store.stats()
    assert (stats.texts, stats.urls) == (3, 3)
    assert store.feed_state(f"{base}/feed.xml") is not None


def test_watch_reports_a_broken_feed_as_an_item_error(
    store: Store, site: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = site
    (root / "feed.xml").write_text("this is not a feed", encoding="utf-8")
    polls: list[Round] = []
    watch(_schedule(tmp_path, f"{base}/feed.xml"), store, rounds=1, on_round=polls.append)
    assert polls[0].ingest.counts["errors"] == 1
    assert polls[0].ingest.errors[0]["item"] == f"{base}/feed.xml"


def test_an_entry_whose_page_failed_is_retried_at_the_next_poll(
    store: Store, site: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = site
    (root / "feed.xml").write_text(_feed(base, ["1", "4"]), encoding="utf-8")
    config = _schedule(tmp_path, f"{base}/feed.xml")
    config.detector = ""
    polls: list[Round] = []
    watch(config, store, rounds=1, on_round=polls.append)
    assert polls[-1].ingest.counts["texts_added"] == 1
    assert polls[-1].ingest.counts["errors"] == 1  # story 4 is not there yet: a 404
    (root / "story" / "4.html").write_text(
        PAGE.format(title="Story 4", day="January 4", place="Nampho"), encoding="utf-8")
    watch(config, store, rounds=1, on_round=polls.append)
    assert polls[-1].ingest.counts["texts_added"] == 1, polls[-1].ingest.errors
    assert polls[-1].ingest.counts["errors"] == 0
    assert store.stats().texts == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("interval = 60\n", "at least one [[feeds]]"),
        ("[[feeds]]\nname = 'x'\n", "feed 1 has no url"),
        ("[[feeds]]\nurl = 'http://e.kp/rss'\ninterval = 1\n", "at least 10"),
        ("interval = 'often'\n[[feeds]]\nurl = 'http://e.kp/rss'\n", "interval"),
        ("[[feeds]\nurl = ", "not valid TOML"),
        ("db = 5\n[[feeds]]\nurl = 'http://e.kp/rss'\n", "db must be"),
        ("timeout = 'soon'\n[[feeds]]\nurl = 'http://e.kp/rss'\n", "timeout has the wrong"),
        ("respect_robots = 1\n[[feeds]]\nurl = 'http://e.kp/rss'\n", "respect_robots has"),
        ("allow_networks = [1]\n[[feeds]]\nurl = 'http://e.kp/rss'\n", "list of CIDR"),
    ],
)
def test_bad_schedules_are_format_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match=message.replace("[", r"\[")):
        WatchConfig.read(path)


def test_a_schedule_sets_every_fetch_option_not_only_allow_private(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("timeout = 5\nrate_limit = 0.5\nretries = 0\nrespect_robots = false\n"
                    "user_agent = 'probe/1'\nallow_networks = ['10.1.0.0/16']\n"
                    "[[feeds]]\nurl = 'http://e.kp/rss'\n", encoding="utf-8")
    options = WatchConfig.read(path).options()
    assert (options.timeout, options.rate_limit, options.retries) == (5, 0.5, 0)
    assert options.respect_robots is False and options.user_agent == "probe/1"
    assert tuple(options.allow_networks) == ("10.1.0.0/16",)
    assert options.allow_private is False


def test_missing_schedule_is_input_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound):
        WatchConfig.read(tmp_path / "none.toml")


def test_watch_command_polls_and_prints_reports(
    store_url: str, site: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from propscope.cli.app import main

    base, root = site
    (root / "feed.xml").write_text(_feed(base, ["1"]), encoding="utf-8")
    path = tmp_path / "sources.toml"
    path.write_text(f'detector = ""\nallow_private = true\n[[feeds]]\nurl = "{base}/feed.xml"\n',
                    encoding="utf-8")
    code = main(["watch", str(path), "--db", store_url, "--rounds", "1", "--json"])
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert [r["kind"] for r in reports] == ["ingest"]  # detector "" stores only
    assert reports[0]["counts"]["texts_added"] == 1
