"""Web fixtures: an app over a fresh store of each backend (SQLite and PostgreSQL, as
the store suite), filled with a few generated stories analysed by a small lexicon
detector, and a TestClient on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi", reason="the web workbench needs fastapi (a core dependency)")

from fastapi.testclient import TestClient

from propscope.batch import analyze_store
from propscope.store import Store, open_store
from propscope.web import Settings, create_app
from tests.store.conftest import LexiconDetector, make_doc, store_url  # noqa: F401


@pytest.fixture
def filled(store_url: str) -> Iterator[Store]:  # noqa: F811
    """Six stories, analysed; story 5 from another outlet and month."""
    with open_store(store_url) as store:
        docs = [make_doc(i) for i in range(1, 6)]
        docs.append(make_doc(6, outlet="Other Outlet", published="2024-03-05",
                             title="Sixth <b>story</b>"))
        store.add_documents(docs)
        analyze_store(store, LexiconDetector())
        yield store


def client_for(store: Store, **settings: object) -> TestClient:
    app = create_app(Settings(db=store.url, detector=LexiconDetector(), **settings),
                     store=store)  # type: ignore[arg-type]
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(filled: Store) -> Iterator[TestClient]:
    with client_for(filled) as c:
        yield c
