"""Two documents side by side (``/compare?a=&b=``) and outlets side by side
(``/compare?outlet=&outlet=``), over SQLite and PostgreSQL."""

from __future__ import annotations

import re

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
