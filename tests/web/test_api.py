"""/api/v1 over SQLite and PostgreSQL: documents, search, facets, export, analyse, and
the error shape (code, message, fix; the right status; never a traceback)."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient

from propscope.store import Store


def test_analyze_text_gives_spans_that_index_the_text(client: TestClient) -> None:
    text = "The imperialist puppet regime staged a heinous provocation."
    r = client.post("/api/v1/analyze", json={"text": text})
    assert r.status_code == 200
    body = r.json()
    assert body["detector"] == "lexicon-test.v1"
    words = sorted(body["text"][s["start"]:s["end"]] for s in body["spans"])
    assert words == ["heinous", "imperialist", "puppet"]
    assert all(s["text"] == body["text"][s["start"]:s["end"]] for s in body["spans"])


def test_analyze_refuses_bad_input_with_a_4xx_json_error(client: TestClient) -> None:
    cases = [
        ({"text": "   "}, 400, "PS102"),
        ({}, 400, "PS001"),
        ({"text": "a", "url": "http://example.org/"}, 400, "PS001"),
        ({"url": "http://127.0.0.1:9/secret"}, 400, "PS502"),  # SSRF: loopback refused
        ({"url": "http://169.254.169.254/latest/meta-data/"}, 400, "PS502"),
        ({"url": "file:///etc/passwd"}, 502, "PS501"),
        ({"text": 12}, 400, "PS400"),
    ]
    for body, status, code in cases:
        r = client.post("/api/v1/analyze", json=body)
        assert (r.status_code, r.json()["code"]) == (status, code), (body, r.text)
        assert set(r.json()) == {"code", "message", "fix"}
        assert "Traceback" not in r.text


def test_analyze_caps_the_text_and_the_request(filled: Store) -> None:
    from propscope.web.analysis import Limits
    from tests.web.conftest import client_for

    with client_for(filled, limits=Limits(max_chars=100), max_body=10_000) as c:
        r = c.post("/api/v1/analyze", json={"text": "word " * 30})
        assert r.status_code == 413 and r.json()["code"] == "PS104"
        r = c.post("/api/v1/analyze", json={"text": "word " * 5000})
        assert r.status_code == 413 and r.json()["code"] == "PS413"


def test_documents_list_filters_and_pages(client: TestClient) -> None:
    r = client.get("/api/v1/documents", params={"limit": 2})
    body = r.json()
    assert body["total"] == 6 and [d["id"] for d in body["documents"]] == [6, 5]
    page2 = client.get("/api/v1/documents", params={"limit": 2, "offset": 2}).json()
    assert [d["id"] for d in page2["documents"]] == [4, 3]
    other = client.get("/api/v1/documents", params={"outlet": "Other Outlet"}).json()
    assert other["total"] == 1 and other["documents"][0]["title"] == "Sixth <b>story</b>"
    month = client.get("/api/v1/documents", params={"month": "2024-03"}).json()
    assert [d["id"] for d in month["documents"]] == [6]
    since = client.get("/api/v1/documents", params={"since": "2024-01-04"}).json()
    assert {d["published"] for d in since["documents"]} >= {"2024-03-05", "2024-01-05"}
    assert all(d["published"] >= "2024-01-04" for d in since["documents"])
    tech = client.get("/api/v1/documents", params={"technique": "loaded-language",
                                                   "detector": "lexicon-test"}).json()
    assert tech["total"] == 6 and all(d["spans"] == 3 for d in tech["documents"])
    none = client.get("/api/v1/documents", params={"technique": "Slogans"}).json()
    assert none["total"] == 0 and none["documents"] == []


def test_documents_list_refuses_bad_parameters(client: TestClient) -> None:
    for params, code in [({"limit": 0}, "PS400"), ({"limit": 10_000}, "PS400"),
                         ({"offset": -1}, "PS400"), ({"since": "yesterday"}, "PS001"),
                         ({"month": "2024-13"}, "PS001"), ({"technique": "nope"}, "PS001"),
                         ({"detector": "%"}, "PS001"), ({"detector": "a_b' --"}, "PS001"),
                         ({"outlet": "x' OR 1=1 --"}, None)]:
        r = client.get("/api/v1/documents", params=params)
        if code is None:  # an injection attempt is just a name no outlet has
            assert r.status_code == 200 and r.json()["total"] == 0
        else:
            assert r.status_code == 400 and r.json()["code"] == code, (params, r.text)


def test_document_has_text_spans_urls_and_near_duplicates(client: TestClient) -> None:
    body = client.get("/api/v1/documents/1").json()
    assert body["id"] == 1 and body["title"] == "Story 1"
    assert body["urls"][0]["url"] == "http://www.example.kp/en/article/1.html"
    assert sorted(body["text"][s["start"]:s["end"]] for s in body["spans"]) == [
        "heinous", "imperialist", "puppet"]
    assert isinstance(body["near_duplicates"], list)
    r = client.get("/api/v1/documents/999")
    assert r.status_code == 404 and r.json()["code"] == "PS404"
    assert client.get("/api/v1/documents/0").status_code == 400
    r = client.get("/api/v1/documents/1", params={"detector": "%"})
    assert r.status_code == 400 and r.json()["code"] == "PS001"
    assert client.get("/api/v1/export", params={"detector": "%"}).status_code == 400
    assert client.get("/api/v1/facets", params={"detector": "%"}).status_code == 400
    assert client.get("/techniques/slogans", params={"detector": "%"}).status_code == 400
    assert client.get("/api/v1/documents/..%2f..%2fetc").status_code in (400, 404)


def test_search_counts_pages_and_refuses_bad_queries(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "heinous", "limit": 4}).json()
    assert body["total"] == 6 and len(body["hits"]) == 4
    rest = client.get("/api/v1/search", params={"q": "heinous", "limit": 4, "offset": 4})
    assert len(rest.json()["hits"]) == 2
    exact = client.get("/api/v1/search", params={"q": "Story", "mode": "exact"}).json()
    assert exact["mode"] == "exact" and exact["total"] == 6
    for q in ["", "   ", "***", "\" OR 1=1 --"[:1]]:
        r = client.get("/api/v1/search", params={"q": q})
        assert r.status_code == 400 and r.json()["code"] == "PS602", (q, r.text)
    assert client.get("/api/v1/search", params={"q": "x", "mode": "regex"}).status_code == 400
    # FTS syntax is data, never the database's query language
    odd = client.get("/api/v1/search", params={"q": "heinous NEAR(x) OR text:* AND ) ("})
    assert odd.status_code in (200, 400) and "Traceback" not in odd.text


def test_facets_count_within_the_filters(client: TestClient) -> None:
    body = client.get("/api/v1/facets").json()
    assert {f["value"]: f["count"] for f in body["outlet"]} == {"Example Agency": 5,
                                                               "Other Outlet": 1}
    assert body["technique"] == [{"value": "Loaded_Language", "label": "Loaded language",
                                  "count": 6}]
    assert [f["count"] for f in body["detector"]] == [6]
    assert {f["value"]: f["count"] for f in body["month"]} == {"2024-01": 5, "2024-03": 1}
    narrowed = client.get("/api/v1/facets", params={"outlet": "Other Outlet"}).json()
    assert narrowed["month"] == [{"value": "2024-03", "label": "2024-03", "count": 1}]
    assert [f["count"] for f in narrowed["technique"]] == [1]
    assert [f["count"] for f in narrowed["detector"]] == [1]
    other = client.get("/api/v1/facets", params={"detector": "someone-else"}).json()
    assert other["technique"] == [] and other["detector"] == [] and other["month"] == []


def test_export_streams_every_row_with_provenance(client: TestClient) -> None:
    r = client.get("/api/v1/export", params={"format": "jsonl"})
    assert r.status_code == 200
    lines = r.text.splitlines()
    assert len(lines) == 6 and {json.loads(x)["id"] for x in lines} == set(range(1, 7))
    provenance = json.loads(r.headers["x-propscope-provenance"])
    assert provenance["detector"] == "all" and provenance["exported"]
    r = client.get("/api/v1/export", params={"format": "csv", "outlet": "Example Agency"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 15 and {row["outlet"] for row in rows} == {"Example Agency"}
    assert "attachment" in r.headers["content-disposition"]
    r = client.get("/api/v1/export", params={"format": "csv", "q": "\"number 6\"",
                                             "mode": "exact"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["document"] for row in rows} == {"6"}
    assert json.loads(r.headers["x-propscope-provenance"])["query"] == "\"number 6\""
    assert client.get("/api/v1/export", params={"q": " "}).status_code == 400
    assert client.get("/api/v1/export", params={"format": "xlsx"}).status_code == 400


def test_export_csv_defuses_formulas(filled: Store) -> None:
    from propscope.model import Document
    from tests.web.conftest import client_for

    filled.add_documents([Document(text="=HYPERLINK(\"http://x\") the heinous plot",
                                   title="=cmd|' /C calc'!A0", url="http://example.org/f")])
    from propscope.batch import analyze_store
    from tests.store.conftest import LexiconDetector

    analyze_store(filled, LexiconDetector())
    with client_for(filled) as c:
        r = c.get("/api/v1/export", params={"format": "csv"})
    rows = [row for row in csv.DictReader(io.StringIO(r.text)) if row["document"] == "7"]
    assert rows and rows[0]["title"].startswith("'=")


def test_a_bug_is_a_500_without_its_traceback(client: TestClient, monkeypatch) -> None:
    from propscope.web import corpus

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret /etc/path and SELECT internals")

    monkeypatch.setattr(corpus, "list_documents", broken)
    r = client.get("/api/v1/documents")
    assert r.status_code == 500
    assert r.json()["code"] == "PS000"
    assert "secret" not in r.text and "Traceback" not in r.text


def test_every_response_carries_a_strict_csp(client: TestClient) -> None:
    for url in ["/", "/api/v1/documents", "/nope", "/static/app.js"]:
        csp = client.get(url).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline'" not in csp.split(
            "script-src")[1].split(";")[0]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp


def test_openapi_lists_the_api(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/analyze", "/api/v1/documents", "/api/v1/documents/{text_id}",
            "/api/v1/search", "/api/v1/facets", "/api/v1/export"} <= set(paths)
    api_page = client.get("/api").text
    assert "/api/v1/search" in api_page and "JSON body" in api_page
