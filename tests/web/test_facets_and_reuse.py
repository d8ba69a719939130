"""Facets the corpus list adds (section; date by day, ISO week or month) and "same
passage elsewhere" on a document, over SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from propscope.store import Store
from tests.store.conftest import make_doc
from tests.web.conftest import client_for

HOSTILE_SECTION = '<script>window.__pwned=1</script>"><img src=x onerror=alert(1)>'


@pytest.fixture
def sectioned(filled: Store) -> Iterator[TestClient]:
    """Story 1 filed again under "Politics" and twice more under "Home News" (one text,
    four URLs); story 2 also under a hostile section name."""
    filled.add_documents([
        make_doc(1, url="http://www.example.kp/en/politics/1.html", section="Politics"),
        make_doc(1, url="http://www.example.kp/en/home/1-again.html"),
        make_doc(2, url="http://www.example.kp/en/x/2.html", section=HOSTILE_SECTION),
    ])
    assert filled.stats().texts == 6
    with client_for(filled) as c:
        yield c


def _counts(items: list[dict[str, object]]) -> dict[object, object]:
    return {f["value"]: f["count"] for f in items}


def test_section_facet_counts_texts_not_urls(sectioned: TestClient) -> None:
    body = sectioned.get("/api/v1/facets").json()
    assert _counts(body["section"]) == {"Home News": 6, "Politics": 1, HOSTILE_SECTION: 1}
    narrowed = sectioned.get("/api/v1/facets", params={"section": "Politics"}).json()
    assert _counts(narrowed["section"]) == {"Home News": 1, "Politics": 1}
    assert _counts(narrowed["outlet"]) == {"Example Agency": 1}
    other = sectioned.get("/api/v1/facets", params={"outlet": "Other Outlet"}).json()
    assert _counts(other["section"]) == {"Home News": 1}


def test_section_filters_the_list_and_the_export(sectioned: TestClient) -> None:
    politics = sectioned.get("/api/v1/documents", params={"section": "Politics"}).json()
    assert politics["total"] == 1 and [d["id"] for d in politics["documents"]] == [1]
    assert politics["filters"] == {"section": "Politics"}
    home = sectioned.get("/api/v1/documents", params={"section": "Home News"}).json()
    assert home["total"] == 6  # story 1's three Home News URLs keep it once
    hostile = sectioned.get("/api/v1/documents", params={"section": HOSTILE_SECTION}).json()
    assert [d["id"] for d in hostile["documents"]] == [2]
    injected = sectioned.get("/api/v1/documents", params={"section": "x' OR 1=1 --"}).json()
    assert injected["total"] == 0
    assert sectioned.get("/api/v1/documents", params={"section": "s" * 301}).status_code == 400
    lines = sectioned.get("/api/v1/export", params={"section": "Politics"}).text.splitlines()
    assert len(lines) == 1 and '"id":1' in lines[0].replace(" ", "")


def test_section_facet_on_the_page_links_and_escapes(sectioned: TestClient) -> None:
    page = sectioned.get("/documents").text
    assert "<h2>Section</h2>" in page
    assert 'href="?section=Politics"' in page
    assert "<script>window" not in page and "<img" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    chosen = sectioned.get("/documents", params={"section": HOSTILE_SECTION}).text
    assert "1–1 of 1 documents" in chosen and "<script>window" not in chosen
    assert re.search(r'<p class="chosen">&lt;script&gt;.*clear</a>', chosen)
