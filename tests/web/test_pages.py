"""The workbench's pages: what they show, that hostile stored values stay text, the
CSRF check on saving, read-only mode, and an empty store."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from propscope.model import Document
from propscope.store import Store, open_store
from tests.web.conftest import client_for

HOSTILE = ('<script>window.__pwned=1</script> "><img src=x onerror="window.__pwned=1"> '
           'the heinous <a href="javascript:window.__pwned=1">link</a>')


def _csrf(client: TestClient) -> str:
    page = client.get("/")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def test_an_empty_store_says_how_to_ingest_and_offers_paste(tmp_path: Path) -> None:
    with open_store(tmp_path / "empty.db") as store, client_for(store) as c:
        page = c.get("/").text
        assert "This store is empty" in page and "propscope ingest" in page
        assert 'name="text"' in page and 'type="file"' in page
        assert "No documents" in c.get("/documents").text
        assert c.get("/search", params={"q": "anything"}).status_code == 200


def test_paste_and_analyse_shows_marks_where_the_offsets_say(client: TestClient) -> None:
    text = "Workers denounced the imperialist plot.\n\nThe puppet army fled."
    r = client.post("/analyze", data={"text": text})
    assert r.status_code == 200
    marks = re.findall(r'<mark class="hl end"[^>]*data-n="(\d+)"[^>]*>([^<]*)</mark>', r.text)
    assert [m[1] for m in marks] == ["imperialist", "puppet"]
    assert "Loaded language: <span class=\"count\">2</span>" in r.text
    assert 'id="min-score"' in r.text and 'class="toggle"' in r.text


def test_upload_reads_by_suffix_and_refuses_others(client: TestClient) -> None:
    html = b"<html><head><title>Up</title></head><body><article><p>The heinous puppet " \
           b"regime fell.</p></article></body></html>"
    r = client.post("/analyze", files={"file": ("story.html", html, "text/html")})
    assert r.status_code == 200 and ">heinous</mark>" in r.text and "<article>" not in r.text
    r = client.post("/analyze", files={"file": ("notes.txt", b"A heinous plot.\n", "text/plain")})
    assert r.status_code == 200 and ">heinous</mark>" in r.text and "notes.txt" in r.text
    r = client.post("/analyze", files={"file": ("x.exe", b"MZ\x00", "application/x")})
    assert r.status_code == 400 and "PS106" in r.text
    r = client.post("/analyze", data={"url": "http://10.0.0.1/"})
    assert r.status_code == 400 and "PS502" in r.text


def test_saving_needs_the_csrf_token_and_stores_the_document(client: TestClient,
                                                             filled: Store) -> None:
    text = "The traitors and their heinous plot."
    r = client.post("/save", data={"text": text})
    assert r.status_code == 403 and "CSRF" in r.text
    client.cookies.clear()
    token = _csrf(client)
    r = client.post("/save", data={"text": text, "csrf": "x" * 43})
    assert r.status_code == 403
    r = client.post("/save", data={"text": text, "csrf": token, "title": "Kept",
                                   "url": "https://example.org/kept"},
                    follow_redirects=False)
    assert r.status_code == 303
    text_id = int(r.headers["location"].rsplit("/", 1)[1])
    stored = filled.get_text(text_id)
    assert stored is not None and stored.document.title == "Kept"
    assert stored.document.text == text and stored.urls[0].url == "https://example.org/kept"
    assert sorted(stored.document.span_text(s) for s in stored.spans) == ["heinous", "traitors"]
    page = client.get(r.headers["location"]).text
    assert ">traitors</mark>" in page
    r = client.post("/save", data={"text": "A heinous\x00 act.", "csrf": token,
                                   "title": "T\x00itle\x1b", "url": "http://x.org/\x00"},
                    follow_redirects=False)
    assert r.status_code == 303  # NUL and controls in fields are dropped (PostgreSQL refuses NUL)
    stored = filled.get_text(int(r.headers["location"].rsplit("/", 1)[1]))
    assert stored is not None and stored.document.title == "Title"


def test_read_only_serves_but_never_saves(filled: Store) -> None:
    with client_for(filled, read_only=True) as c:
        token = _csrf(c)
        result = c.post("/analyze", data={"text": "The heinous plot."}).text
        assert "Save into the store" not in result
        r = c.post("/save", data={"text": "The heinous plot.", "csrf": token})
        assert r.status_code == 403 and "read-only" in r.text
    assert filled.stats().texts == 6


def test_hostile_stored_values_are_escaped(filled: Store) -> None:
    filled.add_documents([Document(text=HOSTILE, title='<script>alert(1)</script>',
                                   url="javascript:alert(1)", outlet='"><svg onload=x>')])
    from propscope.batch import analyze_store
    from tests.store.conftest import LexiconDetector

    analyze_store(filled, LexiconDetector())
    with client_for(filled) as c:
        pages = [c.get("/documents/7").text, c.get("/documents").text,
                 c.get("/search", params={"q": "heinous"}).text,
                 c.get("/techniques/loaded-language").text]
    for page in pages:
        assert "<script>window" not in page and "<script>alert" not in page
        assert "<img" not in page and "<svg" not in page
        assert not re.search(r'<a [^>]*href="javascript:', page)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in pages[0]


def test_pages_of_the_corpus(client: TestClient) -> None:
    docs = client.get("/documents", params={"technique": "loaded-language"}).text
    assert "1–6 of 6 documents" in docs and "Sixth &lt;b&gt;story&lt;/b&gt;" in docs
    assert "<p class=\"chosen\">Loaded language ·" in docs
    assert "Loaded language" in docs and "Other Outlet" in docs
    search = client.get("/search", params={"q": "heinous"}).text
    assert "1–6 of 6 documents" in search and '<mark class="hit">heinous</mark>' in search
    doc = client.get("/documents/1").text
    assert "http://www.example.kp/en/article/1.html" in doc and ">heinous</mark>" in doc
    tech = client.get("/techniques/loaded-language").text
    assert "Strongest examples" in tech and "heinous" in tech
    assert client.get("/techniques/nope").status_code == 404
    assert client.get("/documents/99").status_code == 404
    assert client.get("/documents/1", params={"detector": "nope"}).status_code == 404
    bad = client.get("/search", params={"q": "***"})
    assert bad.status_code == 400 and "PS602" in bad.text and "Traceback" not in bad.text


def test_pagination_links(filled: Store) -> None:
    from propscope.web import pages

    old = pages.PAGE_SIZE
    pages.PAGE_SIZE = 4
    try:
        with client_for(filled) as c:
            first = c.get("/documents").text
            assert "1–4 of 6 documents" in first and 'rel="next"' in first
            second = c.get("/documents", params={"page": 2}).text
            assert "5–6 of 6 documents" in second and 'rel="prev"' in second
    finally:
        pages.PAGE_SIZE = old


def test_the_home_page_never_shows_a_database_password() -> None:
    from propscope.web.pages import shown_db

    assert shown_db("postgresql://ps:s3cret@db.local:5432/news") == (
        "postgresql://ps:***@db.local:5432/news")
    assert shown_db("/data/news.db") == "/data/news.db"
