"""Concurrency: processes creating one new SQLite file at once, and threads reading
while another thread writes (a web server's requests), on both backends."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from propscope.errors import StoreError
from propscope.store import Store, open_store
from propscope.store.dedup import NearDuplicateIndex
from propscope.store.sqlite import SqliteStore

from .conftest import make_doc

TRIALS, PROCESSES, FILES = 10, 4, 4


def _create_all(folder: str, barrier: Any, errors: Any) -> None:
    barrier.wait(timeout=30)
    found = []
    for i in range(FILES):
        try:
            with open_store(Path(folder) / f"{i}.db") as store:
                store.add_documents([make_doc(i)])
        except StoreError as exc:
            found.append(f"{exc} ({exc.__cause__!r})")
    errors.put(found)


def test_processes_creating_the_same_new_file_all_succeed(tmp_path: Path) -> None:
    """Before the retry, 1–5 % of creations lost the race for the WAL switch with
    "database is locked" at once, whatever the busy timeout."""
    ctx = multiprocessing.get_context("fork")
    failed = []
    for trial in range(TRIALS):
        folder = tmp_path / str(trial)
        folder.mkdir()
        barrier, errors = ctx.Barrier(PROCESSES), ctx.Queue()
        workers = [ctx.Process(target=_create_all, args=(str(folder), barrier, errors))
                   for _ in range(PROCESSES)]
        for worker in workers:
            worker.start()
        failed += [e for _ in workers for e in errors.get(timeout=90)]
        for worker in workers:
            worker.join(timeout=30)
            assert worker.exitcode == 0
        for i in range(FILES):
            with open_store(folder / f"{i}.db") as store:
                assert store.stats().texts == 1
    assert failed == []


class _Flaky(sqlite3.Connection):
    """A connection whose switch to WAL meets a lock the first ``fails`` times, as a
    process losing the creation race does."""

    fails = 0

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:  # type: ignore[override]
        if "journal_mode" in sql and _Flaky.fails > 0:
            _Flaky.fails -= 1
            raise sqlite3.OperationalError("database is locked")
        return super().execute(sql, *args)  # type: ignore[arg-type]


def test_a_locked_wal_switch_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, factory=_Flaky, **k))
    monkeypatch.setattr(_Flaky, "fails", 3)
    with open_store(tmp_path / "new.db") as store:
        assert store.schema_version() >= 2
    assert _Flaky.fails == 0


def test_a_lock_held_past_the_timeout_is_still_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, factory=_Flaky, **k))
    monkeypatch.setattr(_Flaky, "fails", 10**9)
    monkeypatch.setattr("propscope.store.sqlite.BUSY_TIMEOUT_S", 0.2)
    with pytest.raises(StoreError, match="locked"):
        SqliteStore(tmp_path / "new.db")


class _Paused(NearDuplicateIndex):
    """Holds the write transaction open (``add`` runs inside it) until told to go on."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.go = threading.Event(), threading.Event()

    def add(self, text_id: int, sig: bytes) -> list[tuple[int, float]]:
        self.inside.set()
        assert self.go.wait(timeout=30)
        return super().add(text_id, sig)


def test_a_read_in_another_thread_sees_only_committed_rows(store: Store) -> None:
    store.add_documents([make_doc(1)])
    paused = _Paused()
    writer = threading.Thread(target=store.add_documents, args=([make_doc(2)],),
                              kwargs={"dedup": paused})
    writer.start()
    try:
        assert paused.inside.wait(timeout=30)
        # The write is half done: this thread reads on its own connection, at once,
        # and sees the one committed text, not the uncommitted second.
        assert store.stats().texts == 1
        assert [h.title for h in store.search("provocation")] == ["Story 1"]
        assert store.get_text(2) is None
    finally:
        paused.go.set()
        writer.join(timeout=30)
    assert store.stats().texts == 2


def test_threads_read_while_another_writes(store: Store) -> None:
    batch, batches, readers = 4, 10, 3
    errors: list[BaseException] = []
    seen: list[int] = []
    done = threading.Event()

    def write() -> None:
        try:
            for b in range(batches):
                store.add_documents([make_doc(b * batch + i) for i in range(batch)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    def read() -> None:
        try:
            while not done.is_set():
                seen.append(store.stats().texts)
                store.search_page("provocation", limit=2)
                for item in store.iter_texts(page=3):
                    assert item.urls
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(readers)]
    threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert all(n % batch == 0 for n in seen)  # a batch is all there or not at all
    assert store.stats().texts == batch * batches


def test_closing_closes_every_threads_connection(tmp_path: Path) -> None:
    store = open_store(tmp_path / "t.db")
    store.add_documents([make_doc(1)])
    thread = threading.Thread(target=store.stats)
    thread.start()
    thread.join()
    store.close()
    with pytest.raises(StoreError):
        store.stats()
