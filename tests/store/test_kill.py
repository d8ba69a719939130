"""SIGKILL mid-run, then run again: every text stored and analysed exactly once.

A real process is started (``python -m propscope ingest`` for ingestion, the batch
runner with a slowed detector for analysis), killed with ``kill -9`` after some
batches have been committed and before the last, and started again; the database
must then hold each text, URL, analysis and span once, and (SQLite) pass its
integrity check.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from propscope.batch import ingest_documents
from propscope.store import open_store

from .conftest import make_doc

REPO = Path(__file__).resolve().parents[2]
N = 300
N_CLI = 1000


def _count(store_url: str, sql: str) -> int:
    with open_store(store_url) as store:
        return int(store._execute(sql).fetchone()[0])  # type: ignore[attr-defined]


def _command(store_url: str, delay: float) -> list[str]:
    return [sys.executable, "-m", "tests.store.killable", store_url, str(delay)]


_ENV = dict(os.environ, PYTHONPATH=f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")


def _start(store_url: str, delay: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen(_command(store_url, delay), cwd=REPO, env=_ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _rerun(store_url: str) -> None:
    done = subprocess.run(_command(store_url, 0), check=False, cwd=REPO, env=_ENV,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _kill_when(proc: subprocess.Popen[bytes], store_url: str, sql: str, at_least: int) -> int:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it could be killed: {proc.stderr.read()!r}")  # type: ignore[union-attr]
        if _count(store_url, sql) >= at_least:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return _count(store_url, sql)
        time.sleep(0.1)
    proc.kill()
    pytest.fail("the run made no progress in 90 s")


def _check_integrity(store_url: str) -> None:
    if not store_url.startswith("postgresql"):
        assert _count(store_url, "SELECT COUNT(*) FROM pragma_integrity_check "
                                 "WHERE integrity_check != 'ok'") == 0


@pytest.mark.slow
def test_ingest_cli_killed_mid_batch_then_rerun(store_url: str, tmp_path: Path) -> None:
    source = tmp_path / "generated.jsonl"
    source.write_text("".join(json.dumps(make_doc(i).to_dict()) + "\n" for i in range(N_CLI)),
                      encoding="utf-8")
    command = [sys.executable, "-m", "propscope", "ingest", str(source), "--db", store_url,
               "--batch-size", "25", "--quiet"]
    open_store(store_url).close()  # migrate before the race starts
    proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    partial = _kill_when(proc, store_url, "SELECT COUNT(*) FROM texts", 100)
    assert proc.returncode == -signal.SIGKILL
    assert 0 < partial < N_CLI and partial % 25 == 0  # whole batches only
    done = subprocess.run(command, check=False, cwd=tmp_path, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _count(store_url, "SELECT COUNT(*) FROM texts") == N_CLI
    assert _count(store_url, "SELECT COUNT(DISTINCT content_hash) FROM texts") == N_CLI
    assert _count(store_url, "SELECT COUNT(*) FROM urls") == N_CLI
    assert _count(store_url, "SELECT COUNT(*) FROM urls u LEFT JOIN texts t ON t.id = u.text_id"
                             " WHERE t.id IS NULL") == 0
    assert _count(store_url, "SELECT COUNT(*) FROM runs WHERE finished IS NULL") == 1
    _check_integrity(store_url)


@pytest.mark.slow
def test_analysis_killed_mid_batch_then_rerun(store_url: str) -> None:
    with open_store(store_url) as store:
        ingest_documents(store, [make_doc(i) for i in range(N)])
    proc = _start(store_url, delay=0.15)
    partial = _kill_when(proc, store_url, "SELECT COUNT(*) FROM analyses", 32)
    assert 0 < partial < N and partial % 16 == 0
    assert _count(store_url, "SELECT COUNT(*) FROM spans") == 3 * partial
    _rerun(store_url)
    assert _count(store_url, "SELECT COUNT(*) FROM analyses") == N
    assert _count(store_url, "SELECT COUNT(*) FROM spans") == 3 * N
    assert _count(store_url, "SELECT COUNT(*) FROM (SELECT DISTINCT text_id, detector, "
                             "start_char, end_char, technique FROM spans) d") == 3 * N
    _check_integrity(store_url)
