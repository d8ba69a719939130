"""Technique share over time (``/api/v1/timeseries``, ``/trends``), outlet pages, and
the store's public read seam they are built on; over SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from propscope.batch import analyze_store
from propscope.errors import StoreError
from propscope.model import Document
from propscope.store import Store, open_store
from propscope.web.timeseries import period_of
from tests.store.conftest import LexiconDetector, store_url  # noqa: F401
from tests.web.conftest import client_for

HOSTILE_OUTLET = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def _doc(i: int, outlet: str, day: date, loaded: bool) -> Document:
    body = "the heinous imperialist plot" if loaded else "the harvest went well"
    return Document(text=f"Story {i} of {outlet}: {body}. Workers met in county {i}.",
                    title=f"Story {i}", url=f"http://example.org/{i}", outlet=outlet,
                    published=day)


@pytest.fixture
def corpus(store_url: str) -> Iterator[Store]:  # noqa: F811
    """Outlet A: January 1 of 4 loaded, February 2 of 2; outlet B: January 5 of 10 —
    more loaded stories than A in January, but a smaller share than A in February.
    A last story is stored after the analysis: counted nowhere."""
    docs, i = [], 0
    for outlet, month, total, loaded in (("A", 1, 4, 1), ("A", 2, 2, 2), ("B", 1, 10, 5)):
        for k in range(total):
            i += 1
            docs.append(_doc(i, outlet, date(2024, month, 1 + k), k < loaded))
    docs.append(_doc(99, HOSTILE_OUTLET, date(2024, 1, 3), True))
    with open_store(store_url) as store:
        store.add_documents(docs)
        analyze_store(store, LexiconDetector())
        store.add_documents([_doc(100, "A", date(2024, 1, 20), True)])  # not analysed
        yield store


@pytest.fixture
def client(corpus: Store) -> Iterator[TestClient]:
    with client_for(corpus) as c:
        yield c


def _shares(body: dict) -> dict[str, dict[str, tuple[int, int]]]:
    return {s["label"]: {p["period"]: (p["matching"], p["documents"]) for p in s["points"]}
            for s in body["series"]}


def test_shares_are_normalised_by_each_outlets_analysed_volume(client: TestClient) -> None:
    r = client.get("/api/v1/timeseries", params=[("outlet", "A"), ("outlet", "B"),
                                                 ("technique", "loaded-language")])
    assert r.status_code == 200
    body = r.json()
    assert body["periods"] == ["2024-01", "2024-02"] and body["unit"] == "documents"
    assert _shares(body) == {"A": {"2024-01": (1, 4), "2024-02": (2, 2)},
                             "B": {"2024-01": (5, 10), "2024-02": (0, 0)}}
    a, b = body["series"]
    assert a["points"][0]["share"] == pytest.approx(0.25)
    assert b["points"][0]["share"] == pytest.approx(0.5)
    assert b["points"][1]["share"] == 0  # no documents: no share, not a drop


def test_all_outlets_together_and_by_week_and_day(client: TestClient) -> None:
    body = client.get("/api/v1/timeseries", params={"period": "week"}).json()
    [series] = body["series"]
    assert series["label"] == "all outlets"
    assert sum(p["documents"] for p in series["points"]) == 17  # the unanalysed one left out
    assert sum(p["matching"] for p in series["points"]) == 9
    assert all(p.startswith(("2024-W", "2023-W")) for p in body["periods"])
    days = client.get("/api/v1/timeseries", params={"period": "day", "outlet": "A",
                                                    "since": "2024-02-01"}).json()
    assert days["periods"] == ["2024-02-01", "2024-02-02"]


def test_a_query_series_counts_the_documents_the_query_finds(client: TestClient) -> None:
    body = client.get("/api/v1/timeseries", params=[("q", "harvest"), ("q", "plot"),
                                                    ("outlet", "B")]).json()
    shares = _shares(body)
    assert shares["B · “harvest”"]["2024-01"] == (5, 10)
    assert shares["B · “plot”"]["2024-01"] == (5, 10)


@pytest.mark.parametrize("params", [
    {"period": "year"}, {"technique": "no-such-thing"}, {"since": "2024-13-01"},
    {"detector": "../../etc"}, {"outlet": ["o1", "o2", "o3", "o4", "o5", "o6", "o7"]},
    {"q": "   AND ("},
])
def test_bad_parameters_are_refused_with_400(client: TestClient, params: dict) -> None:
    r = client.get("/api/v1/timeseries", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["code"].startswith("PS")


def test_period_labels() -> None:
    assert period_of(date(2024, 1, 1), "week") == "2024-W01"
    assert period_of(date(2021, 1, 3), "week") == "2020-W53"
    assert period_of(date(2024, 3, 5), "month") == "2024-03"


def test_the_trends_page_draws_an_svg_chart_and_its_table(client: TestClient) -> None:
    r = client.get("/trends", params=[("outlet", "A"), ("outlet", HOSTILE_OUTLET),
                                      ("technique", "Loaded_Language")])
    assert r.status_code == 200
    page = r.text
    assert "<svg" in page and page.count('class="series"') >= 2  # a polyline per outlet
    assert "25.0% (1/4)" in page and "100.0% (2/2)" in page
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_outlet_pages(client: TestClient, corpus: Store) -> None:
    listing = client.get("/outlets").text
    assert 'href="/outlets/A"' in listing and "<script>alert(1)" not in listing
    page = client.get("/outlets/A")
    assert page.status_code == 200
    assert "Loaded language" in page.text or "Loaded Language" in page.text
    assert "50.0%" in page.text.split("Technique shares")[1]
    api = client.get("/api/v1/outlets/A").json()
    assert api["documents"] == 7 and api["analysed"] == 6
    [loaded] = api["techniques"]
    assert (loaded["documents"], loaded["share"]) == (3, pytest.approx(0.5))
    hostile = client.get("/outlets/" + HOSTILE_OUTLET.replace("/", "%2F"))
    assert hostile.status_code == 200 and "<script>alert(1)" not in hostile.text
    assert client.get("/outlets/nobody").status_code == 404
    # Reached from a document's page, and a technique's page links its share over time.
    first = corpus.query("SELECT MIN(id) FROM texts")[0][0]
    assert 'href="/outlets/A"' in client.get(f"/documents/{first}").text
    assert 'href="/trends?technique=loaded-language"' in client.get(
        "/techniques/loaded-language").text
    assert client.get("/api/v1/outlets/nobody").json()["code"] == "PS404"


def test_an_empty_store_has_no_series_but_says_so(tmp_path) -> None:
    with open_store(tmp_path / "empty.db") as store, client_for(store) as c:
        assert c.get("/api/v1/timeseries").json()["periods"] == []
        assert "No dated, analysed documents" in c.get("/trends").text
        assert c.get("/outlets").status_code == 200


def test_the_public_read_seam(corpus: Store) -> None:
    rows = corpus.query("SELECT COUNT(*) FROM texts WHERE published >= ?",
                        [corpus.date_param(date(2024, 2, 1))])
    assert rows == [(2,)]
    cond, params = corpus.detector_condition("detector", "lexicon-test")
    assert corpus.query(f"SELECT COUNT(*) FROM analyses WHERE {cond}", params) == [(17,)]
    cond, params = corpus.detector_condition("detector", "other")
    assert corpus.query(f"SELECT COUNT(*) FROM analyses WHERE {cond}", params) == [(0,)]
    with pytest.raises(StoreError):
        corpus.query("DELETE FROM texts")
    with pytest.raises(StoreError):
        corpus.query("SELECT * FROM no_such_table")
    with corpus.transaction() as db:
        db.execute("CREATE TABLE IF NOT EXISTS derived_test (k INTEGER PRIMARY KEY, v TEXT)")
        db.executemany("INSERT INTO derived_test (k, v) VALUES (?, ?)", [(1, "a"), (2, "b")])
        assert corpus.query("SELECT COUNT(*) FROM derived_test") == [(2,)]  # the writer's view
    with pytest.raises(RuntimeError), corpus.transaction() as db:
        db.execute("INSERT INTO derived_test (k, v) VALUES (?, ?)", (3, "c"))
        raise RuntimeError("rolled back")
    assert corpus.query("SELECT k FROM derived_test ORDER BY k") == [(1,), (2,)]
    corpus.refresh_statistics("derived_test")
    with pytest.raises(StoreError):
        corpus.refresh_statistics("derived_test; DROP TABLE texts")


def test_a_share_of_sentences(client: TestClient) -> None:
    """Each story has two sentences, the loaded ones one of them loaded: A's January
    is 1 of 8 sentences, B's 5 of 20."""
    body = client.get("/api/v1/timeseries", params=[
        ("outlet", "A"), ("outlet", "B"), ("unit", "sentences"),
        ("technique", "loaded-language")]).json()
    assert body["unit"] == "sentences"
    assert _shares(body) == {"A": {"2024-01": (1, 8), "2024-02": (2, 4)},
                             "B": {"2024-01": (5, 20), "2024-02": (0, 0)}}
    # In a query's series, the sentences with a span in the texts the query finds.
    again = client.get("/api/v1/timeseries", params=[
        ("unit", "sentences"), ("q", "harvest"), ("q", "plot"), ("outlet", "B")]).json()
    assert _shares(again)["B · “harvest”"]["2024-01"] == (0, 20)
    assert _shares(again)["B · “plot”"]["2024-01"] == (5, 20)
    assert client.get("/api/v1/timeseries", params={"unit": "words"}).status_code == 400
    page = client.get("/trends", params={"unit": "sentences", "outlet": "A"}).text
    assert "12.5% (1/8)" in page and "Share of sentences" in page
