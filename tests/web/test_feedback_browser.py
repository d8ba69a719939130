"""Feedback round-trips in a real browser (Debian's Chromium through Playwright, the
server and fixtures of :mod:`tests.web.test_browser`): a span marked right from the
keyboard, a missed span added by selecting its words, both listed on the page and in
the SemEval export.  Skipped where that module is (no Playwright or Chromium)."""

from __future__ import annotations

from typing import Any
from urllib.request import urlopen

from tests.web.test_browser import _shot, base_url, browser, page, sync_api  # noqa: F401

expect = sync_api.expect  # imported once test_browser has skipped where it must


def test_feedback_round_trips(page: Any, base_url: str) -> None:  # noqa: F811
    page.goto(f"{base_url}/documents/1")
    page.fill("#fb-reader", "Dee")
    right = page.get_by_role("button", name="Span 1 is right")
    right.focus()
    page.keyboard.press("Enter")  # keyboard only: a native button in a form
    page.wait_for_url("**/documents/1**#feedback")
    rows = page.locator("table.feedback-list tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").all_inner_texts()[:1] == ["right"]
    assert "Dee" in rows.first.inner_text()
    # Select "aggressors" in the text: the script fills the passage in.
    page.evaluate("""() => {
      const box = document.getElementById('doc-text');
      const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
      let node;
      while ((node = walker.nextNode())) {
        const at = node.data.indexOf('aggressors');
        if (at >= 0) {
          const r = document.createRange();
          r.setStart(node, at); r.setEnd(node, at + 'aggressors'.length);
          const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
          return;
        }
      }
    }""")
    expect(page.locator("#fb-quote")).to_have_value("aggressors")
    assert page.input_value("#fb-reader-2") in ("", "Dee")
    page.select_option("#fb-technique", "Name_Calling,Labeling")
    page.get_by_role("button", name="Add the span").click()
    page.wait_for_url("**#feedback")
    assert page.locator("table.feedback-list tbody tr").count() == 2
    _shot(page, "feedback")
    text = "The imperialist aggressors and their puppet regime."
    start = text.index("aggressors")
    with urlopen(f"{base_url}/api/v1/feedback/export") as r:
        lines = r.read().decode().splitlines()
    assert f"1\tName_Calling,Labeling\t{start}\t{start + len('aggressors')}" in lines
    assert any(line.startswith("1\tName_Calling,Labeling\t4\t15") for line in lines)


def test_a_job_page_follows_its_job(page: Any, base_url: str, tmp_path: Any) -> None:  # noqa: F811
    upload = tmp_path / "news.jsonl"
    upload.write_text('{"text": "The glorious heinous plan.", "title": "Job story"}\n',
                      encoding="utf-8")
    page.goto(f"{base_url}/jobs")
    page.set_input_files("#job-file", str(upload))
    page.get_by_role("button", name="Start the ingest").click()
    page.wait_for_url("**/jobs/*")
    expect(page.locator("#job-state")).to_have_text("done", timeout=20_000)
    assert '"texts_added": 1' in page.locator("#job-report").inner_text()
    assert page.locator("#job-bar").get_attribute("value") == "1"
    _shot(page, "job")
