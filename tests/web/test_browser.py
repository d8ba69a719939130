"""The workbench in a real browser: Debian's Chromium driven by Playwright against a
real Uvicorn on 127.0.0.1.

What only a browser can show: that a highlight sits where its offsets say in the text
a reader sees, that the slider and the toggles hide spans, that the tooltip opens on
keyboard focus, and that hostile markup in a stored document never runs (a window
flag it would set stays unset, and the CSP refuses even a script injected later).
Skipped, with the reason, where Playwright or /usr/bin/chromium is missing
(``.ci/run`` installs both).  ``PROPSCOPE_SCREENSHOTS=DIR`` keeps a screenshot of each
main page in DIR.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

CHROMIUM = Path("/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests need the playwright package (the test extra)")
if not CHROMIUM.is_file():
    pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)

import uvicorn

from propscope.batch import analyze_store
from propscope.model import Document, Span
from propscope.store import open_store
from propscope.web import Settings, create_app

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

HOSTILE = ('Headline. <script>window.__pwned = 1</script> and "><img src=x '
           'onerror="window.__pwned = 2"> a heinous plot, <a href="javascript:window.__pwned=3">'
           'click</a> <svg onload="window.__pwned=4"></svg>')


class ScoredDetector:
    """Each listed word is a span of its technique with its score: scores that differ,
    so the slider has something to hide."""

    name = "scored-test"
    version = "1"
    words: ClassVar[dict[str, tuple[str, float]]] = {
        "imperialist": ("Name_Calling,Labeling", 0.9), "heinous": ("Loaded_Language", 0.7),
             "puppet": ("Name_Calling,Labeling", 0.3), "glorious": ("Loaded_Language", 0.2)}

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        pattern = "|".join(self.words)
        return [[Span(m.start(), m.end(), self.words[m[0]][0], self.words[m[0]][1], self.name,
                      f"word: {m[0]}") for m in re.finditer(pattern, d.text)] for d in docs]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server on a free loopback port, over a store with a hostile document."""
    db = tmp_path_factory.mktemp("web") / "browser.db"
    store = open_store(db)
    store.add_documents([
        Document(text="The imperialist aggressors and their puppet regime.", title="Plain",
                 url="http://example.org/plain", outlet="Example"),
        Document(text=HOSTILE, title='<script>window.__pwned=5</script>"><img src=x>',
                 url="javascript:window.__pwned=6", outlet='<b onmouseover="x">Out</b>'),
    ])
    analyze_store(store, ScoredDetector())
    app = create_app(Settings(db=str(db), detector=ScoredDetector()), store=store)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    store.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900})
        yield context
        context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    opened = browser.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    opened.close()
    assert not errors, f"script errors on the page: {errors}"


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("PROPSCOPE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


# Where each drawn mark starts and ends in the text the reader sees (the ::after number
# is CSS, not text), with its number and whether it is drawn.
_MARKS_JS = """() => {
  const box = document.getElementById('doc-text');
  return Array.from(box.querySelectorAll('mark[data-n]')).map(m => {
    const r = document.createRange();
    r.setStart(box, 0); r.setEndBefore(m);
    const start = r.toString().length;
    return {n: +m.dataset.n, start: start, end: start + m.textContent.length,
            text: m.textContent, on: m.classList.contains('hl'),
            bg: getComputedStyle(m).backgroundColor};
  });
}"""


def _offsets(page: Any) -> dict[int, tuple[int, int]]:
    """The span table's offsets, by span number."""
    found = {}
    for row in page.locator("tr[data-span]").all():
        cells = row.locator("td").all_inner_texts()
        start, end = cells[-1].split("–")
        found[int(cells[0])] = (int(start), int(end))
    return found


def test_paste_and_analyse_draws_each_span_at_its_offsets(page: Any, base_url: str) -> None:
    text = "Our glorious workers exposed the imperialist plot.\nA heinous puppet show ended."
    page.goto(base_url + "/")
    _shot(page, "home")
    page.fill("#text", text)
    page.click("#analyse-btn")
    page.wait_for_selector("#doc-text mark")
    _shot(page, "result")
    marks = page.evaluate(_MARKS_JS)
    offsets = _offsets(page)
    assert [m["text"] for m in marks] == ["glorious", "imperialist", "heinous", "puppet"]
    shown = page.locator("#doc-text").text_content()
    for mark in marks:
        assert (mark["start"], mark["end"]) == offsets[mark["n"]]
        assert shown[mark["start"]:mark["end"]] == mark["text"]


def test_slider_and_toggles_hide_spans(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.fill("#text", "Our glorious workers exposed the imperialist plot. A heinous puppet.")
    page.click("#analyse-btn")
    page.wait_for_selector("#doc-text mark")
    transparent = "rgba(0, 0, 0, 0)"
    assert all(m["on"] and m["bg"] != transparent for m in page.evaluate(_MARKS_JS))
    page.focus("#min-score")
    assert page.locator("#min-score-value").text_content() == "0.20"  # where reading starts
    for _ in range(6):  # 0.05 a step, by keyboard: to 0.50
        page.keyboard.press("ArrowRight")
    assert page.locator("#min-score-value").text_content() == "0.50"
    state = {m["text"]: (m["on"], m["bg"]) for m in page.evaluate(_MARKS_JS)}
    assert state["glorious"] == (False, transparent) and state["puppet"] == (False, transparent)
    assert state["imperialist"][0] and state["heinous"][0]
    assert state["heinous"][1] != transparent
    assert page.locator("tr[data-span]:not(.off)").count() == 2
    page.uncheck('.toggle[data-technique="Loaded_Language"]')
    state = {m["text"]: m["on"] for m in page.evaluate(_MARKS_JS)}
    assert state == {"glorious": False, "imperialist": True, "heinous": False, "puppet": False}
    _shot(page, "result-filtered")


def test_the_tooltip_opens_on_keyboard_focus_and_hover(page: Any, base_url: str) -> None:
    page.goto(base_url + "/documents/1")
    tip = page.locator("#tip")
    assert not tip.is_visible()
    page.locator("#doc-text mark.hl").first.focus()
    assert tip.is_visible()
    assert "Name calling" in tip.text_content() and "word: imperialist" in tip.text_content()
    page.evaluate("() => document.activeElement.blur()")
    assert not tip.is_visible()
    page.locator("#doc-text mark.hl").nth(1).hover()
    assert tip.is_visible() and "word: puppet" in tip.text_content()
    _shot(page, "document")


def test_a_hostile_document_renders_inert(page: Any, base_url: str) -> None:
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    for path in ["/documents/2", "/documents", "/search?q=heinous", "/techniques/loaded-language"]:
        page.goto(base_url + path)
        assert page.evaluate("() => window.__pwned") is None, path
        assert page.locator("img, svg, script:not([src]):not([type='application/json'])"
                            ).count() == 0, path
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert not [h for h in hrefs if h.lower().startswith("javascript:")], path
    page.goto(base_url + "/documents/2")
    assert "<script>window.__pwned = 1</script>" in page.locator("#doc-text").text_content()
    # Our own script ran (the slider works), and an inline script injected now is refused.
    assert page.locator("#min-score-value").text_content() == "0.20"
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.__pwned = 7';
                             document.body.appendChild(s); }""")
    assert page.evaluate("() => window.__pwned") is None
    _shot(page, "hostile")
    assert csp_violations  # the refusal was the CSP's


def test_search_and_facets_pages_draw(page: Any, base_url: str) -> None:
    page.goto(base_url + "/search?q=imperialist")
    assert "1–1 of 1 documents" in page.locator("#total").text_content()
    assert page.locator("mark.hit").first.text_content().lower() == "imperialist"
    _shot(page, "search")
    page.goto(base_url + "/documents")
    page.click("text=Loaded language")
    assert "technique=Loaded_Language" in page.url
    assert "1–1 of 1 documents" in page.locator("#total").text_content()
    _shot(page, "documents")


def test_export_downloads_the_rows_the_page_lists(page: Any, base_url: str) -> None:
    page.goto(base_url + "/documents?outlet=Example")
    listed = {int(x) for x in page.locator("table.docs td.num:first-child").all_inner_texts()}
    with page.expect_download() as download:
        page.click("text=CSV")
    path = download.value.path()
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert listed == {1} and {int(r["document"]) for r in rows} == listed
    assert sorted(r["span_text"] for r in rows) == ["imperialist", "puppet"]
