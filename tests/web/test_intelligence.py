"""Corpus intelligence pages and ``/api/v1/intelligence`` over propscope.analytics:
reading never computes nor writes; bringing the report up to date is an explicit,
CSRF-checked, bounded POST refused on a read-only server.  SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from propscope.analytics import report
from propscope.analytics.db import FactTable
from propscope.model import Document
from propscope.store import Store
from propscope.web import intelligence
from tests.analytics.conftest import fill, kcna_store, store_url  # noqa: F401
from tests.web.conftest import client_for

HOSTILE = Document(
    text=("Pyongyang, June 3 (KCNA) -- The respected Comrade Kim Jong Un inspected the "
          "<script>window.__pwned=1</script> Farm on June 2.\nHe was accompanied by Ri "
          "Pyong Chol, secretary of the C.C., the WPK, and Jo Yong Won, vice-chairman.\n"
          "The puppet traitors are heinous."),
    title='"><img src=x onerror=alert(1)>', published=date(2024, 6, 3), outlet="KCNA",
    url="http://kcna.example/hostile.html")


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/intelligence").text)
    assert found
    return found.group(1)


def test_a_store_never_reported_on_says_how_and_is_not_written(kcna_store: Store) -> None:  # noqa: F811
    with client_for(kcna_store) as c:
        page = c.get("/intelligence/leaders")
        assert page.status_code == 200 and "No corpus report yet" in page.text
        assert "propscope report --db" in page.text and "/intelligence/refresh" in page.text
        r = c.get("/api/v1/intelligence")
        assert r.status_code == 404 and "propscope report" in r.json()["fix"]
    assert not FactTable.exists_in(kcna_store)  # reading made no table


def test_pages_and_api_show_the_stored_report(kcna_store: Store) -> None:  # noqa: F811
    fill(kcna_store, [HOSTILE])
    expected = report(kcna_store).to_dict()
    with client_for(kcna_store, read_only=True) as c:
        api = c.get("/api/v1/intelligence").json()
        assert api["appearances"] == expected["appearances"]
        assert api["targets"] == expected["targets"] and api["people"] == expected["people"]
        assert api["meta"]["texts_read_now"] == {}  # nothing read by a GET
        leaders = c.get("/intelligence/leaders").text
        rows = leaders.split('id="appearance-table"')[1].split("</table>")[0]
        # Officials in the order the story names them, in an ordered list.
        guidance = rows.split("2011-11-03")[1].split("</tr>")[0]
        assert re.findall(r"<li>([A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+)", guidance) == [
            "Pak To Chun", "Jang Song Thaek"]
        assert "<svg" in leaders
        targets = c.get("/intelligence/targets").text
        assert "south Korea" in targets and "puppet traitors" in targets
        trends = c.get("/intelligence/trends").text
        assert "<svg" in trends and 'id="changes"' in trends
        for name in ("", "/slogans", "/reuse", "/leaders", "/targets", "/trends"):
            page = c.get("/intelligence" + name).text
            assert "<script>window.__pwned" not in page and "<img src=x" not in page
        assert c.get("/intelligence/nothing").status_code == 404
        assert c.get("/intelligence", params={"since": "yesterday"}).status_code == 400
        since = c.get("/api/v1/intelligence", params={"since": "2012-01-01"}).json()
        assert {a["day"][:4] for a in since["appearances"]} <= {"2012", "2024"}


def test_read_only_refuses_to_compute(kcna_store: Store) -> None:  # noqa: F811
    with client_for(kcna_store, read_only=True) as c:
        page = c.get("/intelligence").text
        assert "No corpus report yet" in page and "/intelligence/refresh" not in page
        r = c.post("/intelligence/refresh", data={"csrf": "x"})
        assert r.status_code == 403
    assert not FactTable.exists_in(kcna_store)


def test_refresh_is_a_csrf_checked_bounded_post(kcna_store: Store) -> None:  # noqa: F811
    with client_for(kcna_store) as c:
        assert c.post("/intelligence/refresh", data={"csrf": "forged"}).status_code == 403
        token = _csrf(c)
        assert intelligence._refreshing.acquire(blocking=False)
        try:  # one refresh at a time: a second is told to come back
            busy = c.post("/intelligence/refresh", data={"csrf": token})
            assert busy.status_code == 429 and busy.headers.get("Retry-After")
        finally:
            intelligence._refreshing.release()
        done = c.post("/intelligence/refresh", data={"csrf": token}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/intelligence"
        people = {p["id"] for p in c.get("/api/v1/intelligence").json()["people"]}
        assert {"kim-jong-il", "kim-jong-un"} <= people
        overview = c.get("/intelligence").text
        assert "Kim Jong Un" in overview and "Bring up to date" in overview


@pytest.mark.parametrize("outlet", ["TASS", "' OR 1=1 --"])
def test_an_outlet_scope_with_nothing_in_it_is_empty_not_an_error(
        kcna_store: Store, outlet: str) -> None:  # noqa: F811
    report(kcna_store)
    with client_for(kcna_store) as c:
        r = c.get("/api/v1/intelligence", params={"outlet": outlet})
        assert r.status_code == 200 and r.json()["people"] == []


def test_an_undated_appearance_does_not_break_the_leaders_page(store_url: str) -> None:  # noqa: F811
    # A story without a date (an undated corpus, a record with no `published`) has an
    # appearance with no day: the chart counts it as "undated" instead of failing.
    from propscope.store import open_store

    undated = Document(text=("The respected Comrade Kim Jong Un inspected the Sinpho Farm on "
                             "June 2.\nHe was accompanied by Ri Pyong Chol."), outlet="KCNA")
    with open_store(store_url) as store:
        fill(store, [undated])
        found = report(store)
        assert any(a["day"] is None for a in found.to_dict()["appearances"])
        with client_for(store, read_only=True) as c:
            assert c.get("/intelligence/leaders").status_code == 200
