"""Analysis on a real Dask cluster against the real PostgreSQL: the same spans as one
process, nothing twice when run again, and every text once after a worker is killed,
the scheduler is lost, or the database connection drops mid-batch."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import pytest

from propscope.batch import analyze_store, ingest_documents
from propscope.errors import ClusterError, DetectorError
from propscope.store import open_store
from tests.scale import POSTGRES
from tests.scale.detectors import BatchSensitiveLexicon, BrokenDisk, SlowLexicon
from tests.store.conftest import make_doc

pytest.importorskip("distributed", reason="cluster tests need dask[distributed]")

from propscope.scale import analyze_cluster
from propscope.scale.worker import analyse_range, worker_store

N = 120


def _fill(url: str, n: int = N) -> int:
    """Store ``n`` generated texts (ids 1..n); return a run id for analyse_range."""
    with open_store(url) as store:
        ingest_documents(store, [make_doc(i) for i in range(n)], near_duplicates=False)
        return store.start_run("analyze")


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with open_store(url) as store:
        return [tuple(row) for row in store._execute(sql).fetchall()]  # type: ignore[attr-defined]


SPANS = ("SELECT text_id, detector, start_char, end_char, technique, score FROM spans"
         " ORDER BY 1, 3, 4, 5")


def _assert_each_text_once(url: str, n: int = N) -> None:
    assert _rows(url, "SELECT COUNT(*), COUNT(DISTINCT text_id) FROM analyses") == [(n, n)]
    spans = _rows(url, SPANS)
    assert len(spans) == 3 * n  # make_doc: three lexicon words per text
    assert len(set(spans)) == len(spans)


@pytest.mark.postgres
@POSTGRES
@pytest.mark.slow
def test_cluster_stores_what_one_process_stores_and_a_rerun_adds_nothing(
    store_url: str, client: Any, tmp_path: Any
) -> None:
    _fill(store_url)
    single = str(tmp_path / "single.db")
    _fill(single)
    with open_store(single) as store:
        analyze_store(store, BatchSensitiveLexicon(), batch_size=10)
    seen: list[tuple[int, int | None]] = []
    report = analyze_cluster(store_url, BatchSensitiveLexicon(), client=client,
                             batch_size=10, progress=lambda d, t: seen.append((d, t)))
    # 120 texts, 2 workers: 4 tasks each would be 15 texts; whole batches make it 20
    assert report.counts["partitions"] == 6 and report.counts["analysed"] == N
    assert seen[-1] == (N, N) and len(seen) >= 6
    assert _rows(store_url, SPANS) == _rows(single, SPANS)  # same ids, same spans
    again = analyze_cluster(store_url, BatchSensitiveLexicon(), client=client)
    assert again.counts["pending"] == 0 and again.counts["analysed"] == 0
    _assert_each_text_once(store_url)


@pytest.mark.postgres
@POSTGRES
def test_a_range_analysed_twice_stores_its_spans_once(store_url: str) -> None:
    common = {"run_id": _fill(store_url, 40), "since": None, "batch_size": 8, "db_retries": 0}
    first = analyse_range(store_url, "twice", SlowLexicon(), 1, 30, **common)
    assert first["counts"]["analysed"] == 30
    again = analyse_range(store_url, "twice", SlowLexicon(), 1, 40, **common)  # overlaps
    assert again["counts"]["analysed"] == 10
    _assert_each_text_once(store_url, 40)


class _DropsTheConnection(SlowLexicon):
    """Terminates the worker store's writer connection during its first batch, as a
    database restart or a network cut would."""

    url = ""
    dropped = False

    def detect(self, docs: Any) -> Any:
        if not _DropsTheConnection.dropped:
            _DropsTheConnection.dropped = True
            pid = worker_store(self.url)._writer.info.backend_pid  # type: ignore[attr-defined]
            import psycopg

            with psycopg.connect(os.environ["PROPSCOPE_TEST_POSTGRES"],
                                 autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        return super().detect(docs)


@pytest.mark.postgres
@POSTGRES
def test_a_batch_whose_connection_drops_is_retried(store_url: str) -> None:
    run = _fill(store_url, 30)
    _DropsTheConnection.url = store_url
    result = analyse_range(store_url, "drops", _DropsTheConnection(), 1, 30, run_id=run,
                           since=None,
                           batch_size=8, db_retries=2)
    assert _DropsTheConnection.dropped
    assert result["counts"]["batch_retries"] == 1
    assert result["counts"]["analysed"] == 30 and result["counts"]["errors"] == 0
    _assert_each_text_once(store_url, 30)


@pytest.mark.postgres
@POSTGRES
@pytest.mark.slow
def test_a_worker_killed_mid_task_leaves_every_text_analysed_once(
    store_url: str, client: Any
) -> None:
    _fill(store_url)
    killed: list[int] = []

    def kill_a_busy_worker(done: int, total: int | None) -> None:
        if killed:
            return
        busy = [addr for addr, tasks in client.processing().items() if tasks]
        pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    report = analyze_cluster(store_url, SlowLexicon(0.1), client=client, partition_size=20,
                             batch_size=5, progress=kill_a_busy_worker)
    assert killed
    assert report.counts["pending"] == N
    _assert_each_text_once(store_url)


@pytest.mark.postgres
@POSTGRES
@pytest.mark.slow
def test_scheduler_lost_is_a_clear_error_and_a_rerun_resumes(store_url: str, client: Any) -> None:
    import distributed

    _fill(store_url)
    doomed = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                      dashboard_address=None)
    stopping = threading.Event()

    def stop_the_scheduler(done: int, total: int | None) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=doomed.close).start()

    with pytest.raises(ClusterError, match="lost the Dask scheduler") as caught:
        analyze_cluster(store_url, SlowLexicon(0.05), address=doomed.scheduler_address,
                        partition_size=10, batch_size=5, progress=stop_the_scheduler)
    assert "rerun" in caught.value.fix
    partial = _rows(store_url, "SELECT COUNT(*) FROM analyses")[0][0]
    assert 0 < partial < N
    report = analyze_cluster(store_url, SlowLexicon(), client=client)
    assert report.counts["pending"] == N - partial
    _assert_each_text_once(store_url)


@pytest.mark.postgres
@POSTGRES
def test_an_unknown_detector_fails_on_the_workers_as_ps301(store_url: str, client: Any) -> None:
    _fill(store_url, 2)
    with pytest.raises(DetectorError, match="unknown detector 'nosuch'"):
        analyze_cluster(store_url, "nosuch", client=client)
    assert _rows(store_url, "SELECT COUNT(*) FROM analyses") == [(0,)]


@pytest.mark.postgres
@POSTGRES
def test_a_tasks_own_oserror_is_not_called_a_lost_scheduler(store_url: str, client: Any) -> None:
    _fill(store_url, 2)
    with pytest.raises(OSError, match="No space left") as caught:
        analyze_cluster(store_url, BrokenDisk(), client=client)
    assert not isinstance(caught.value, ClusterError)


def test_a_cluster_run_on_sqlite_is_refused(tmp_path: Any) -> None:
    db = str(tmp_path / "x.db")
    _fill(db, 2)
    with pytest.raises(ClusterError, match="SQLite") as caught:
        analyze_cluster(db, SlowLexicon(), workers=2)
    assert "PostgreSQL" in caught.value.fix
