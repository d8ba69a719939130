"""Two documents side by side (``/compare?a=&b=``) and outlets side by side
(``/compare?outlet=&outlet=``), over SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from propscope.store import Store
from tests.web.test_trends import HOSTILE_OUTLET, client, corpus  # noqa: F401


def _ids(store: Store) -> dict[str, int]:
    return {title: int(i) for i, title in store.query("SELECT id, title FROM texts")}


def test_two_documents_side_by_side_with_their_marks(client: TestClient,  # noqa: F811
                                                     corpus: Store) -> None:  # noqa: F811
    ids = _ids(corpus)
    loaded, plain = ids["Story 1"], ids["Story 2"]
    r = client.get("/compare", params={"a": loaded, "b": plain})
    assert r.status_code == 200
    page = r.text
    left, right = page.split('id="doc-text-0"')[1].split('id="doc-text-1"')
    # The marks sit on the words the detector found, in the left document only.
    assert re.findall(r'data-doc="0"[^>]*>([^<]*)</mark>', left) == ["heinous", "imperialist"]
    assert "<mark" not in right
    assert "Story 1 of A" in left and "Story 2 of A" in right
    assert 'id="propscope-data"' in page and "/assets/report.js" in page
    row = re.search(r"<td>Loaded Language</td><td class=\"num\">(\d+)</td>"
                    r"<td class=\"num\">(\d+)</td>", page, re.IGNORECASE)
    assert row and row.groups() == ("2", "0")


def test_hostile_documents_compare_inert(client: TestClient, corpus: Store) -> None:  # noqa: F811
    ids = _ids(corpus)
    page = client.get("/compare", params={"a": ids["Story 99"], "b": ids["Story 1"]}).text
    assert "<script>alert(1)" not in page and "<img src=x" not in page


def test_comparing_needs_two_existing_documents(client: TestClient) -> None:  # noqa: F811
    assert client.get("/compare", params={"a": 1}).status_code == 400
    assert client.get("/compare", params={"a": 1, "b": 999_999}).status_code == 404
    assert client.get("/compare", params={"a": "x", "b": 1}).status_code == 400
    assert client.get("/compare", params={"a": -1, "b": 1}).status_code == 400


def test_outlets_side_by_side(client: TestClient) -> None:  # noqa: F811
    r = client.get("/compare", params=[("outlet", "A"), ("outlet", "B")])
    assert r.status_code == 200
    table = r.text.split('id="share-table"')[1].split("</table>")[0]
    # A: 3 of its 6 analysed documents loaded; B: 5 of 10.
    assert "(6 analysed)" in table and "(10 analysed)" in table
    assert "50.0% (3)" in table and "50.0% (5)" in table
    assert "/trends?outlet=A&amp;outlet=B" in r.text
    assert client.get("/compare", params={"outlet": "nobody"}).status_code == 404
    assert client.get("/compare").status_code == 200  # the form alone


# -- in a real browser (Debian's Chromium through Playwright; skipped without them) --------

@pytest.fixture
def served(corpus: Store) -> Iterator[str]:  # noqa: F811
    """A real Uvicorn on a free loopback port over ``corpus``."""
    uvicorn = pytest.importorskip("uvicorn")
    from propscope.web import Settings, create_app
    from tests.store.conftest import LexiconDetector

    app = create_app(Settings(db=corpus.url, detector=LexiconDetector()), store=corpus)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    listening = socket.create_server(("127.0.0.1", 0))
    runner = threading.Thread(target=server.run, kwargs={"sockets": [listening]},
                              daemon=True)
    runner.start()
    give_up = time.monotonic() + 20
    while not server.started and time.monotonic() < give_up:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"
    finally:
        server.should_exit = True
        runner.join(10)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")
    if not Path("/usr/bin/chromium").is_file():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path="/usr/bin/chromium", headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
            viewport={"width": 1280, "height": 900})
        try:
            tab, script_errors = context.new_page(), []
            tab.on("pageerror", lambda exc: script_errors.append(str(exc)))
            yield tab
            assert script_errors == [], "a script failed on the page"
        finally:
            context.close()


def test_the_time_series_chart_draws_in_the_browser(served: str, chromium: Any) -> None:
    chromium.goto(served + "/trends?outlet=A&outlet=B&technique=loaded-language")
    chart = chromium.locator("figure#trend-chart svg")
    assert chart.is_visible() and chart.bounding_box()["width"] > 300
    assert chromium.locator("svg polyline.series").count() == 1  # A: two months; B: a gap
    assert chromium.locator("svg circle").count() == 3
    tips = chromium.locator("svg circle title").all_text_contents()
    assert "A · 2024-01: 25% (1 of 4 documents)" in tips
    assert chromium.evaluate("() => window.__pwned") is None
    assert chromium.locator("img").count() == 0  # the hostile outlet's name stays text
    if os.environ.get("PROPSCOPE_SCREENSHOTS"):
        chromium.screenshot(path=str(Path(os.environ["PROPSCOPE_SCREENSHOTS"]) / "trends.png"),
                            full_page=True)


def test_the_second_documents_tooltip_opens_on_focus(served: str, chromium: Any,
                                                     corpus: Store) -> None:  # noqa: F811
    ids = _ids(corpus)
    chromium.goto(served + f"/compare?a={ids['Story 2']}&b={ids['Story 1']}")
    mark = chromium.locator("#doc-text-1 mark.hl").first
    mark.focus()
    tip = chromium.locator("#tip")
    assert tip.is_visible() and "Loaded" in tip.text_content()
    assert chromium.locator("#doc-text-0 mark").count() == 0
