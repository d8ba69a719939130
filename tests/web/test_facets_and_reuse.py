"""Facets the corpus list adds (section; date by day, ISO week or month) and "same
passage elsewhere" on a document, over SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from propscope.analytics import report
from propscope.analytics.db import FactTable
from propscope.model import Document
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


@pytest.fixture
def dated(filled: Store) -> Iterator[TestClient]:
    """Stories 1–5 in ISO week 2024-W01, 6 in 2024-W10, and three on week edges: a
    Monday (2024-W02), a Sunday that ends 2023-W52, and 3 January 2021, which ISO puts
    in 2020-W53 (the week's year is not the calendar's)."""
    filled.add_documents([make_doc(7, published="2024-01-08"),
                          make_doc(8, published="2023-12-31"),
                          make_doc(9, published="2021-01-03")])
    with client_for(filled) as c:
        yield c


def test_date_facet_by_day_week_and_month(dated: TestClient) -> None:
    default = dated.get("/api/v1/facets").json()
    assert "week" not in default and "day" not in default
    assert _counts(default["month"]) == {"2021-01": 1, "2023-12": 1, "2024-01": 6,
                                         "2024-03": 1}
    weeks = dated.get("/api/v1/facets", params={"period": "week"}).json()
    assert "month" not in weeks
    assert [(f["value"], f["count"]) for f in weeks["week"]] == [
        ("2020-W53", 1), ("2023-W52", 1), ("2024-W01", 5), ("2024-W02", 1), ("2024-W10", 1)]
    days = dated.get("/api/v1/facets", params={"period": "day"}).json()
    assert _counts(days["day"]) == {"2021-01-03": 1, "2023-12-31": 1, "2024-01-02": 1,
                                    "2024-01-03": 1, "2024-01-04": 1, "2024-01-05": 1,
                                    "2024-01-06": 1, "2024-01-08": 1, "2024-03-05": 1}
    within = dated.get("/api/v1/facets", params={"period": "day", "week": "2024-W02"}).json()
    assert _counts(within["day"]) == {"2024-01-08": 1}


def test_day_and_week_filters(dated: TestClient) -> None:
    def ids(**params: str) -> list[int]:
        body = dated.get("/api/v1/documents", params=params).json()
        return sorted(d["id"] for d in body["documents"])

    assert ids(week="2024-W01") == [1, 2, 3, 4, 5]
    assert ids(week="2024-W02") == [7]
    assert ids(week="2020-W53") == [9]
    assert ids(week="2023-W52") == [8]
    assert ids(day="2024-01-08") == [7]
    assert ids(day="2024-01-07") == []
    assert ids(week="2024-W01", outlet="Other Outlet") == []
    body = dated.get("/api/v1/documents", params={"week": "2024-W02"}).json()
    assert body["filters"] == {"week": "2024-W02"}


def test_bad_periods_and_dates_are_refused(dated: TestClient) -> None:
    for params in [{"week": "2024-W54"}, {"week": "2021-W53"}, {"week": "2024-13"},
                   {"week": "2024W01"}, {"week": "2024-W1"}, {"day": "2024-02-30"},
                   {"day": "yesterday"}]:
        r = dated.get("/api/v1/documents", params=params)
        assert r.status_code == 400 and r.json()["code"] == "PS001", (params, r.text)
    r = dated.get("/api/v1/facets", params={"period": "year"})
    assert r.status_code == 400 and r.json()["code"] == "PS400"
    assert dated.get("/documents", params={"period": "year"}).status_code == 400


def test_the_page_switches_period_and_keeps_it_in_links(dated: TestClient) -> None:
    page = dated.get("/documents", params={"period": "week"}).text
    assert "<strong>week</strong>" in page and 'href="?period=month"' in page
    assert 'href="?period=week&amp;week=2020-W53"' in page
    chosen = dated.get("/documents", params={"period": "week", "week": "2024-W01"}).text
    assert "1–5 of 5 documents" in chosen
    assert re.search(r'<p class="chosen">2024-W01 · <a href="\?period=week">clear</a>', chosen)
    day = dated.get("/documents", params={"day": "2024-01-08"}).text
    assert "1–1 of 1 documents" in day and "2024-01-08 · <a" in day


SHARED = ("The glorious workers of the county pledged again at the meeting held on Monday "
          "to carry out the national economic plan ahead of schedule with redoubled zeal "
          "and unity behind the party.")


def _story(intro: str, title: str, day: str, url: str) -> Document:
    return Document(text=f"{intro}\n\n{SHARED}", title=title, published=day, url=url,
                    outlet="Example Agency")


INTROS = [
    ("Farmers in the northern province finished the autumn harvest early this year and "
     "celebrated the record yield of rice and maize with songs and dances in every village "
     "square."),
    ("Builders at the new housing district on the riverside completed the frames of twenty "
     "apartment blocks last week, and the first families are due to move in before the "
     "winter comes."),
]


@pytest.fixture
def reused(filled: Store) -> Store:
    """Two new stories sharing one passage of two (so not the same story filed again):
    7 first, 8 two days later; 8's title is hostile."""
    filled.add_documents([
        _story(INTROS[0], "Harvest story", "2024-02-01", "http://www.example.kp/h.html"),
        _story(INTROS[1], '<script>window.__pwned=1</script>"><img src=x onerror=y>',
               "2024-02-03", "http://www.example.kp/b.html"),
    ])
    return filled


def test_without_a_report_the_document_says_how_and_nothing_is_written(reused: Store) -> None:
    with client_for(reused, read_only=True) as c:
        page = c.get("/documents/7")
        assert page.status_code == 200
        assert "Same passage elsewhere" in page.text and "propscope report --db" in page.text
        body = c.get("/api/v1/documents/7").json()
        assert body["same_passage_elsewhere"] == {
            "known": False, "fix": "run: propscope report --db <this database>",
            "passages": []}
    assert not FactTable.exists_in(reused)  # reading made no table


def test_a_passage_reused_elsewhere_is_listed_with_its_first_appearance(reused: Store) -> None:
    report(reused)
    with client_for(reused, read_only=True) as c:
        first = c.get("/api/v1/documents/7").json()["same_passage_elsewhere"]
        later = c.get("/api/v1/documents/8").json()["same_passage_elsewhere"]
        alone = c.get("/api/v1/documents/1").json()["same_passage_elsewhere"]
        page7 = c.get("/documents/7").text
        page8 = c.get("/documents/8").text
    assert first["known"] and len(first["passages"]) == 1
    passage = first["passages"][0]
    assert passage["text"] == SHARED and passage["kind"] == "reused"
    assert passage["first_appearance"] == {"id": 7, "title": "Harvest story",
                                           "day": "2024-02-01", "lag_days": None}
    assert [(c["id"], c["day"], c["lag_days"]) for c in passage["elsewhere"]] == [
        (8, "2024-02-03", 2)]
    shown = later["passages"][0]
    assert shown["text"] == SHARED and shown["first_appearance"]["id"] == 7
    assert [c["id"] for c in shown["elsewhere"]] == [7]
    assert alone == {"known": True, "passages": []}
    assert "First appeared here on 2024-02-01" in page7
    assert '<a href="/documents/8">&lt;script&gt;window.__pwned=1&lt;/script&gt;' in page7
    assert "(2 days after the first)" in page7
    assert "<script>window" not in page7 and "<img" not in page7
    assert 'First appeared in <a href="/documents/7">Harvest story</a> on 2024-02-01' in page8
    assert "<blockquote>The glorious workers" in page8


def test_new_reuse_rows_are_seen_without_a_restart(reused: Store) -> None:
    with client_for(reused) as c:
        report(reused)
        assert len(c.get("/api/v1/documents/8").json()["same_passage_elsewhere"]["passages"]) == 1
        reused.add_documents([_story(INTROS[0].replace("northern", "southern"), "Third",
                                     "2024-02-09", "http://www.example.kp/c.html")])
        report(reused)
        again = c.get("/api/v1/documents/8").json()["same_passage_elsewhere"]["passages"]
    assert sorted(x["id"] for x in again[0]["elsewhere"]) == [7, 9]
