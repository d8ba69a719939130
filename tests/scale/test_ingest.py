"""Ingestion on a real Dask cluster: a worker killed mid-source leaves every text and
URL stored once (the retried task meets what the dead one committed as known)."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from propscope.store import open_store
from tests.scale import POSTGRES
from tests.store.conftest import make_doc

pytest.importorskip("distributed", reason="cluster tests need dask[distributed]")

from propscope.scale import ingest_cluster
from propscope.scale.ingest import split_sources

SHARDS, PER_SHARD = 4, 150


def _count(url: str, sql: str) -> int:
    with open_store(url) as store:
        return int(store._execute(sql).fetchone()[0])  # type: ignore[attr-defined]


@pytest.mark.postgres
@pytest.mark.slow
@POSTGRES
def test_a_worker_killed_mid_source_leaves_every_text_stored_once(
    store_url: str, client: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "shards"
    folder.mkdir()
    for k in range(SHARDS):
        (folder / f"{k}.jsonl").write_text("".join(
            json.dumps(make_doc(k * PER_SHARD + i).to_dict()) + "\n"
            for i in range(PER_SHARD)), encoding="utf-8")
    open_store(store_url).close()  # migrate before the workers race to
    killed: list[int] = []

    def kill_a_busy_worker(done: int, total: int | None) -> None:
        busy = [addr for addr, tasks in client.processing().items() if tasks]
        if killed or not busy:
            return
        pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    report = ingest_cluster(store_url, [str(folder)], client=client, batch_size=10,
                            progress=kill_a_busy_worker)
    assert killed
    assert report.counts["sources"] == SHARDS
    n = SHARDS * PER_SHARD
    assert _count(store_url, "SELECT COUNT(*) FROM texts") == n
    assert _count(store_url, "SELECT COUNT(DISTINCT content_hash) FROM texts") == n
    assert _count(store_url, "SELECT COUNT(*) FROM urls") == n


def test_sources_are_split_by_file_and_stdin_is_refused(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "a.warc.gz").write_bytes(b"")
    (tmp_path / ".hidden").write_text("", encoding="utf-8")
    got = split_sources([str(tmp_path), "https://example.org/x", str(tmp_path / "b.jsonl")])
    assert got == [str(tmp_path / "a.warc.gz"), str(tmp_path / "b.jsonl"),
                   "https://example.org/x"]
    from propscope.errors import UsageError

    with pytest.raises(UsageError, match="standard input"):
        split_sources(["-"])
