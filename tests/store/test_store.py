"""The Store contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date

import pytest

from propscope.errors import SearchQueryError, StoreError
from propscope.model import Document, Provenance
from propscope.store import Store, open_store
from propscope.store.dedup import NearDuplicateIndex
from propscope.store.sql import migrations
from propscope.text.normalise import normalise

from .conftest import make_doc

LATEST = max(version for version, _, _ in migrations("sqlite"))


def test_migrations_apply_once(store_url: str) -> None:
    with open_store(store_url) as first:
        assert first.schema_version() == LATEST
        first.add_documents([make_doc(1)])
    with open_store(store_url) as again:  # reopening neither fails nor loses rows
        assert again.schema_version() == LATEST
        assert again.stats().texts == 1


def test_an_older_database_is_upgraded_when_opened(store_url: str) -> None:
    with open_store(store_url) as store:
        store.add_documents([make_doc(1)])
        # Make it a version-1 database, as one written before migration 2 existed.
        with store._transaction():  # type: ignore[attr-defined]
            for table in ("access_tokens", "feedback", "feed_state"):
                store._execute(f"DROP TABLE {table}")  # type: ignore[attr-defined]
            store._execute("DELETE FROM schema_migrations WHERE version >= 2")  # type: ignore[attr-defined]
        assert store.schema_version() == 1
    with open_store(store_url) as store:
        assert store.schema_version() == LATEST
        store.save_feed_state("http://e.kp/rss", {"seen": ["a"]})
        assert store.feed_state("http://e.kp/rss") == {"seen": ["a"]}
        assert store.stats().texts == 1


def test_one_text_many_urls_and_ingesting_again_adds_nothing(store: Store) -> None:
    docs = [make_doc(1, section="Home News"), make_doc(1, section="Top News",
            url="http://www.example.kp/en/top/1.html"), make_doc(2)]
    first = store.add_documents(docs)
    assert [r.new_text for r in first] == [True, False, True]
    assert [r.url for r in first] == ["new", "new", "new"]
    assert first[0].text_id == first[1].text_id != first[2].text_id
    again = store.add_documents(docs)
    assert [r.new_text for r in again] == [False, False, False]
    assert [r.url for r in again] == ["known", "known", "known"]
    stats = store.stats()
    assert (stats.texts, stats.urls, stats.sources) == (2, 3, 1)
    stored = store.get_text(first[0].text_id)
    assert stored is not None
    assert sorted(u.section or "" for u in stored.urls) == ["Home News", "Top News"]


def test_canonical_url_spellings_are_one_url(store: Store) -> None:
    store.add_documents([make_doc(1, url="http://Example.kp/a/?utm_source=rss#top")])
    again = store.add_documents([make_doc(1, url="http://example.kp:80/a")])
    assert again[0].url == "known"
    assert store.stats().urls == 1


def test_a_changed_page_points_its_url_at_the_new_text(store: Store) -> None:
    old = store.add_documents([make_doc(1, url="http://e.kp/a")])[0]
    new = store.add_documents([make_doc(2, url="http://e.kp/a")])[0]
    assert new.url == "updated" and new.new_text
    assert store.stats().texts == 2 and store.stats().urls == 1
    moved = store.get_text(new.text_id)
    assert moved is not None and [u.url for u in moved.urls] == ["http://e.kp/a"]
    kept = store.get_text(old.text_id)
    assert kept is not None and kept.urls == []


def test_near_duplicates_are_linked_not_dropped(store: Store) -> None:
    body = " ".join(f"The plan of county {i} was fulfilled." for i in range(60))
    a = Document(text=f"Pyongyang, May 1 (KCNA) -- {body}", url="http://e.kp/1")
    b = Document(text=f"Pyongyang, May 2 (KCNA) -- {body}", url="http://e.kp/2")
    c = make_doc(3)
    index = NearDuplicateIndex.from_signatures(store.signatures())
    results = store.add_documents([a, b, c], dedup=index)
    assert [r.new_text for r in results] == [True, True, True]
    assert [r.near_duplicates for r in results] == [0, 1, 0]
    links = store.near_duplicates(results[0].text_id)
    assert [other for other, _ in links] == [results[1].text_id]
    assert store.stats().texts == 3
    # A later run rebuilds the index from the store and still finds the pair.
    rebuilt = NearDuplicateIndex.from_signatures(store.signatures())
    d = Document(text=f"Pyongyang, May 3 (KCNA) -- {body}", url="http://e.kp/3")
    assert store.add_documents([d], dedup=rebuilt)[0].near_duplicates == 2


def test_document_fields_round_trip(store: Store) -> None:
    raw = "Caf\u00e9  \u201cnews\u201d\r\nline two"
    result = normalise(raw)
    doc = Document(
        text=result.text, offset_map=result.offset_map, url="http://e.kp/x", title="T",
        outlet="KCNA", published=date(2024, 3, 5), language="en",
        meta={"furniture": {"caption": "A photo"}},
        provenance=Provenance(source="feed.xml", kind="feed", section="World", item="entry 1",
                              record_id="r1", raw=raw.encode()),
    )
    text_id = store.add_documents([doc])[0].text_id
    stored = store.get_text(text_id)
    assert stored is not None
    back = stored.document
    assert back.text == doc.text and back.content_hash == doc.content_hash
    assert back.offset_map == doc.offset_map
    assert (back.title, back.outlet, back.published, back.url) == (
        "T", "KCNA", date(2024, 3, 5), "http://e.kp/x")
    assert back.meta == {"furniture": {"caption": "A photo"}}
    assert back.provenance == Provenance(source="feed.xml", kind="feed", section="World",
                                         item="entry 1", record_id="r1")  # raw: its column
    assert stored.urls[0].source == "feed.xml"
    assert store.get_text(text_id + 1000) is None


def test_a_failing_batch_stores_nothing(store: Store) -> None:
    bad = make_doc(2)
    bad.language = object()  # type: ignore[assignment]  # no driver can store this
    with pytest.raises(StoreError):
        store.add_documents([make_doc(1), bad])
    stats = store.stats()
    assert (stats.texts, stats.urls, stats.sources) == (0, 0, 0)
    # The store is still usable, and its caches did not keep rolled-back ids.
    assert store.add_documents([make_doc(1)])[0].new_text
    assert store.stats().sources == 1


def test_search_finds_words_in_text_and_title(store: Store) -> None:
    store.add_documents([make_doc(i) for i in range(5)])
    store.add_documents([Document(text="A tractor factory opened.", title="Harvest festival",
                                  url="http://e.kp/h")])
    hits = store.search("tractor")
    assert [h.url for h in hits] == ["http://e.kp/h"]
    assert "[" in hits[0].snippet and "]" in hits[0].snippet
    assert [h.title for h in store.search("harvest festival")] == ["Harvest festival"]
    assert len(store.search("provocation", limit=3)) == 3
    assert store.search("nothingmatchesthis") == []
    with pytest.raises(SearchQueryError):  # more in test_search.py
        store.search("   ")
    # Query syntax a user did not mean as syntax does not raise.
    assert [h.url for h in store.search('tractor -"  AND (')] == ["http://e.kp/h"]


def test_iter_texts_pages_through_everything(store: Store) -> None:
    store.add_documents([make_doc(i) for i in range(7)])
    seen = [t.text_id for t in store.iter_texts(page=3)]
    assert len(seen) == 7 and seen == sorted(seen)
    assert list(store.iter_texts(analysed_only=True)) == []


def test_bad_sqlite_path_is_a_store_error(tmp_path) -> None:
    (tmp_path / "not-a-db").write_bytes(b"this is not a database file at all" * 100)
    with pytest.raises(StoreError):
        open_store(tmp_path / "not-a-db")


def test_unreachable_postgres_is_a_store_error() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError) as info:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    assert "secret" not in info.value.message


def test_a_failed_sqlite_commit_rolls_back_and_the_store_goes_on(tmp_path) -> None:
    with open_store(tmp_path / "s.db") as store:
        execute = store._execute  # type: ignore[attr-defined]
        with pytest.raises(StoreError, match="FOREIGN KEY"), store._transaction():  # type: ignore[attr-defined]
            execute("PRAGMA defer_foreign_keys = ON")  # the check fails at COMMIT
            execute("INSERT INTO urls (canonical_url, url, text_id, fetched)"
                    " VALUES ('x', 'x', 999, '2024-01-01')")
        with pytest.raises(StoreError, match="boom"), store._transaction():  # type: ignore[attr-defined]
            execute("ROLLBACK")  # as SQLite does itself on a full disk
            raise StoreError("boom")
        store.add_documents([make_doc(1)])  # the next transaction starts cleanly
        assert store.stats().texts == 1 and store.stats().urls == 1


def test_a_file_that_does_not_open_as_a_store_leaves_no_connection_open(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    opened: list[sqlite3.Connection] = []
    connect = sqlite3.connect

    def spy(*args: object, **kwargs: object) -> sqlite3.Connection:
        opened.append(connect(*args, **kwargs))  # type: ignore[arg-type]
        return opened[-1]

    (tmp_path / "garbage.db").write_bytes(b"not a database at all " * 300)
    with connect(tmp_path / "foreign.db") as other:  # a database, but not propscope's
        other.execute("CREATE TABLE schema_migrations (x)")
    other.close()
    monkeypatch.setattr(sqlite3, "connect", spy)
    for name in ("garbage.db", "foreign.db"):
        with pytest.raises(StoreError):
            open_store(tmp_path / name)
    assert len(opened) >= 2  # a writer each, and a reader where a read got that far
    for conn in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            conn.execute("SELECT 1")


def test_rows_stored_before_provenance_read_back_typed(store: Store) -> None:
    # Older rows kept the source and item as untyped keys at the top of meta.
    old = Document(text="An older stored story about the harvest.",
                   meta={"source": "old.jsonl", "item": "old.jsonl:3", "repairs": []})
    text_id = store.add_documents([old])[0].text_id
    stored = store.get_text(text_id)
    assert stored is not None
    back = stored.document
    assert (back.provenance.source, back.provenance.item) == ("old.jsonl", "old.jsonl:3")
    assert back.meta == {"repairs": []}


def test_provenance_refuses_wrong_types() -> None:
    with pytest.raises(TypeError, match="raw must be bytes"):
        Provenance(raw="text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a Provenance"):
        Document(text="x", provenance={"source": "a"})  # type: ignore[arg-type]
