"""Ingest runs and incremental analysis over both backends."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

import pytest

from propscope.batch import analyze_store, ingest_documents
from propscope.errors import DecodeError, DetectorError
from propscope.ingest.types import ItemError
from propscope.model import Document, Span
from propscope.pipeline import analyze_many
from propscope.store import Store

from .conftest import LexiconDetector, make_doc


def test_ingest_reports_counts_and_item_errors_and_goes_on(store: Store) -> None:
    items = [
        make_doc(1),
        ItemError("feed.xml", "http://e.kp/broken", DecodeError("not UTF-8")),
        make_doc(1, url="http://e.kp/other-section/1"),
        Document(text="   \n ", url="http://e.kp/empty"),
        make_doc(2),
    ]
    seen: list[tuple[int, int | None]] = []
    report = ingest_documents(store, items, batch_size=2,
                              progress=lambda done, total: seen.append((done, total)))
    counts = report.counts
    assert counts["documents"] == 3
    assert (counts["texts_added"], counts["texts_known"]) == (2, 1)
    assert counts["urls_added"] == 3
    assert counts["errors"] == 2
    assert [(e["item"], e["code"]) for e in report.errors] == [
        ("http://e.kp/broken", "PS105"), ("http://e.kp/empty", "PS102")]
    assert seen[-1] == (3, 3)
    run = store.runs(1)[0]
    assert run.kind == "ingest" and run.finished is not None
    assert run.counts == counts and len(run.errors) == 2
    again = ingest_documents(store, [make_doc(1), make_doc(2)])
    assert again.counts["texts_added"] == 0 and again.counts["urls_added"] == 0
    assert again.counts["urls_known"] == 2


def test_a_document_the_database_refuses_costs_only_itself(store: Store) -> None:
    bad = make_doc(3)
    bad.language = object()  # type: ignore[assignment]
    report = ingest_documents(store, [make_doc(1), bad, make_doc(2)], batch_size=10)
    assert report.counts["texts_added"] == 2
    assert report.counts["errors"] == 1 and report.errors[0]["code"] == "PS601"
    assert store.stats().texts == 2


def test_analysis_is_incremental_by_detector_version(store: Store) -> None:
    ingest_documents(store, [make_doc(i) for i in range(10)])
    detector = LexiconDetector("1")
    progress: list[tuple[int, int | None]] = []
    first = analyze_store(store, detector, progress=lambda d, t: progress.append((d, t)),
                          batch_size=4)
    assert first.detector == "lexicon-test.v1"
    assert first.counts["pending"] == 10 and first.counts["analysed"] == 10
    assert first.counts["spans"] == 30  # imperialist, puppet, heinous in every story
    assert progress == [(4, 10), (8, 10), (10, 10)]
    assert analyze_store(store, detector).counts["analysed"] == 0
    ingest_documents(store, [make_doc(i) for i in range(8, 13)])
    assert analyze_store(store, detector).counts["analysed"] == 3
    newer = analyze_store(store, LexiconDetector("2"))
    assert newer.counts["analysed"] == 13
    stats = store.stats()
    assert stats.analysed == {"lexicon-test.v1": 13, "lexicon-test.v2": 13}
    assert stats.spans["lexicon-test.v1"] == {"Loaded_Language": 39}
    assert store.detectors()[0] == "lexicon-test.v2"
    stored = next(store.iter_texts(detector="lexicon-test.v1"))
    assert [stored.document.text[s.start:s.end] for s in stored.spans] == [
        "imperialist", "puppet", "heinous"]
    assert set(stored.scores) == {"lexicon-test.v1"}


class RefusingDetector(LexiconDetector):
    """Refuses a text with ``BOOM`` in it the way a detector should: a typed error."""

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        if any("BOOM" in doc.text for doc in docs):
            raise DetectorError("this text is beyond the detector")
        return super().detect(docs)


def test_a_failing_text_is_reported_and_the_batch_goes_on(store: Store) -> None:
    docs = [make_doc(1), Document(text="BOOM goes the detector.", url="http://e.kp/boom"),
            make_doc(2)]
    ingest_documents(store, docs)
    report = analyze_store(store, RefusingDetector(), batch_size=10)
    assert report.counts["analysed"] == 2 and report.counts["errors"] == 1
    assert report.errors[0]["code"] == "PS301"
    assert "http://e.kp/boom" in report.errors[0]["item"]
    assert store.runs(1)[0].errors == report.errors
    # The failed text stays pending: the next run tries it again.
    assert store.count_pending("lexicon-test.v1") == 1


def test_a_detector_bug_keeps_its_traceback(store: Store) -> None:
    """A bug (here a RuntimeError) is not a bad input: it stops the run, loudly."""
    ingest_documents(store, [make_doc(1), Document(text="BOOM goes the detector.")])
    with pytest.raises(RuntimeError, match="detector failed"):
        analyze_store(store, LexiconDetector(), batch_size=10)


def test_since_limits_analysis_to_recent_texts(store: Store) -> None:
    ingest_documents(store, [make_doc(i, published=date(2024, 1, 1 + i)) for i in range(6)])
    report = analyze_store(store, LexiconDetector(), since=date(2024, 1, 4))
    assert report.counts["analysed"] == 3
    assert store.count_pending("lexicon-test.v1") == 3


class NullEvidence(LexiconDetector):
    """Gives one text a span the database refuses (evidence is NOT NULL)."""

    def detect(self, docs):  # type: ignore[no-untyped-def]
        found = super().detect(docs)
        for doc, spans in zip(docs, found):
            if "refused" in doc.text:
                spans.append(Span(0, 3, None, 0.5, self.name, None))  # type: ignore[arg-type]
        return found


def test_a_result_the_database_refuses_costs_only_its_text(store: Store) -> None:
    ingest_documents(store, [make_doc(1), Document(text="This one is refused.", url="http://e.kp/r"),
                             make_doc(2)])
    report = analyze_store(store, NullEvidence(), batch_size=10)
    assert report.counts["analysed"] == 2 and report.counts["spans"] == 6
    assert report.counts["errors"] == 1 and report.errors[0]["code"] == "PS601"
    assert store.stats().analysed == {"lexicon-test.v1": 2}
    assert store.runs(1)[0].counts == report.counts


def test_saving_an_analysis_twice_stores_it_once(store: Store) -> None:
    ingest_documents(store, [make_doc(1)])
    report = analyze_store(store, LexiconDetector())
    stored = next(store.iter_texts(detector="lexicon-test.v1"))
    analysed = analyze_many([stored.document], LexiconDetector())[0]
    again = store.save_analyses(report.run_id, [(stored.text_id, analysed)], {}, [])
    assert again == set()
    assert store.stats().spans == {"lexicon-test.v1": {"Loaded_Language": 3}}


def test_limit_stops_early_and_the_next_run_goes_on(store: Store) -> None:
    ingest_documents(store, [make_doc(i) for i in range(7)])
    first = analyze_store(store, LexiconDetector(), limit=5, batch_size=2)
    assert first.counts["pending"] == 5 and first.counts["analysed"] == 5
    rest = analyze_store(store, LexiconDetector())
    assert rest.counts["analysed"] == 2


def test_a_slow_source_is_stored_as_it_arrives(store: Store) -> None:
    seen: list[int] = []

    def slow() -> Iterator[Document]:
        for i in range(3):
            yield make_doc(i)
            seen.append(store.stats().texts)  # what is committed once doc i is handed over

    ingest_documents(store, slow(), batch_size=100, flush_seconds=0)
    assert seen == [1, 2, 3]
