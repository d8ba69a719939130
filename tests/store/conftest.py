"""Store fixtures: every store test runs against SQLite and PostgreSQL.

SQLite lives in ``tmp_path``.  PostgreSQL is the server named by
``$PROPSCOPE_TEST_POSTGRES`` (``.ci/run`` starts one); each test gets a schema of its
own, dropped afterwards, so tests neither see nor leave each other's rows.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest

from propscope.model import Document, Provenance, Span
from propscope.store import Store, open_store

PG_ENV = "PROPSCOPE_TEST_POSTGRES"


def _pg_url_with_schema(base: str, schema: str) -> str:
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL of each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "test.db")
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need a server: set {PG_ENV} (.ci/run starts one)")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield _pg_url_with_schema(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


class LexiconDetector:
    """A small real detector for these tests: every listed word is Loaded_Language.
    A text containing ``BOOM`` makes it raise, to exercise per-item errors."""

    name = "lexicon-test"
    words = ("imperialist", "puppet", "heinous", "traitors", "invincible")

    def __init__(self, version: str = "1") -> None:
        self.version = version

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        found = []
        for doc in docs:
            if "BOOM" in doc.text:
                raise RuntimeError("detector failed on this text")
            spans = [
                Span(m.start(), m.end(), "Loaded_Language", 0.9, self.name, f"lexicon: {m[0]!r}")
                for m in re.finditer("|".join(self.words), doc.text)
            ]
            found.append(spans)
        return found


def make_doc(i: int, *, section: str = "Home News", url: str | None = None, **kw: object) -> Document:
    """A generated story; its text (and so its hash) depends on ``i`` only."""
    text = (
        f"Story number {i}. The imperialist puppet forces staged a heinous provocation "
        f"near sector {i * 7 % 13}. Workers in county {i} pledged to fulfil the plan "
        f"ahead of schedule, reports say; output rose by {i % 50} percent this year."
    )
    fields: dict[str, object] = {
        "url": url or f"http://www.example.kp/en/article/{i}.html",
        "title": f"Story {i}",
        "outlet": "Example Agency",
        "published": date(2024, 1, 1 + i % 28),
        "provenance": Provenance(source="generated.jsonl", section=section),
    }
    fields.update(kw)
    return Document(text=text, **fields)  # type: ignore[arg-type]
