"""The store cuts pending texts into id ranges for the cluster's tasks: bounds only,
every pending text in exactly one range, analysed texts in none (both backends)."""

from __future__ import annotations

from datetime import date

from propscope.batch import analyze_store, ingest_documents
from propscope.store import Store
from propscope.store.base import Store as BaseStore
from tests.scale.detectors import SlowLexicon
from tests.store.conftest import make_doc, store, store_url  # noqa: F401 - fixtures


def test_pending_ranges_cover_each_pending_text_once(store: Store) -> None:  # noqa: F811
    ingest_documents(store, [make_doc(i) for i in range(10)], near_duplicates=False)
    analyze_store(store, SlowLexicon(), limit=4)  # texts 1-4 done
    ranges = store.pending_ranges("lexicon-test.v1", size=4)
    assert ranges == [(5, 8, 4), (9, 10, 2)]
    assert ranges == BaseStore.pending_ranges(store, "lexicon-test.v1", size=4)
    assert store.pending_ranges("other.v1", size=100) == [(1, 10, 10)]
    analyze_store(store, SlowLexicon())
    assert store.pending_ranges("lexicon-test.v1", size=4) == []


def test_pending_ranges_honour_since(store: Store) -> None:  # noqa: F811
    ingest_documents(store, [make_doc(i) for i in range(10)], near_duplicates=False)
    # make_doc(i) is published on 2024-01-(1 + i): texts 6..10 from the 6th on
    ranges = store.pending_ranges("lexicon-test.v1", since=date(2024, 1, 6), size=3)
    assert ranges == [(6, 8, 3), (9, 10, 2)]
    assert ranges == BaseStore.pending_ranges(store, "lexicon-test.v1",
                                              since=date(2024, 1, 6), size=3)
