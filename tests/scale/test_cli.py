"""The command line of the cluster: ``--workers``/``--cluster`` with ``analyze --db``
and ``ingest``, refused where they cannot work, and a real 2-process run from the CLI
that stores the spans a single process stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from present.keywords import KeywordDetector  # noqa: F401  (registers "keywords")

from propscope.cli.app import main
from tests.scale import POSTGRES
from tests.store.conftest import make_doc

pytest.importorskip("distributed", reason="cluster tests need dask[distributed]")

SPANS = ("SELECT text_id, detector, start_char, end_char, technique, score FROM spans"
         " ORDER BY 1, 3, 4, 5")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _shards(folder: Path, n: int = 60) -> list[str]:
    """Two JSON-lines shards that share a third of their stories."""
    folder.mkdir()
    lines = [json.dumps(make_doc(i).to_dict()) + "\n" for i in range(n)]
    (folder / "a.jsonl").write_text("".join(lines[: 2 * n // 3]), encoding="utf-8")
    (folder / "b.jsonl").write_text("".join(lines[n // 3:]), encoding="utf-8")
    return [str(folder / "a.jsonl"), str(folder / "b.jsonl")]


def test_workers_without_db_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "a.txt"
    page.write_text("The imperialist puppet forces.", encoding="utf-8")
    code, _, err = _run(capsys, "analyze", str(page), "--workers", "2")
    assert code == 2 and "PS001" in err and "--db" in err


@pytest.mark.parametrize("command", ["analyze", "ingest"])
def test_a_cluster_on_sqlite_is_refused_before_it_starts(
    command: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "x.db")
    sources = _shards(tmp_path / "in")
    code, _, err = _run(capsys, "ingest", *sources, "--db", db, "-q")
    assert code == 0
    argv = ["analyze", "--db", db] if command == "analyze" else ["ingest", *sources,
                                                                  "--db", db]
    code, _, err = _run(capsys, *argv, "--workers", "2")
    assert code == 2 and "PS801" in err and "PostgreSQL" in err


@pytest.mark.postgres
@pytest.mark.slow
@POSTGRES
def test_ingest_and_analyze_with_two_workers_store_what_one_process_stores(
    store_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import dask

    sources = _shards(tmp_path / "in")
    single = str(tmp_path / "single.db")
    assert _run(capsys, "ingest", *sources, "--db", single, "-q", "--analyze",
                "-d", "keywords")[0] == 0
    with dask.config.set({"propscope.scale.imports": ["present.keywords"]}):  # registers it
        code, out, err = _run(capsys, "ingest", *sources, "--db", store_url, "--workers",
                              "2", "--analyze", "-d", "keywords", "-f", "json")
        assert code == 0, err
        again, _, _ = _run(capsys, "analyze", "--db", store_url, "--workers", "2",
                           "-d", "keywords")
    assert again == 0
    ingested, analysed = (json.loads(line) for line in out.splitlines())
    assert ingested["counts"]["texts_added"] == 60  # the shared third stored once
    assert ingested["counts"]["texts_known"] == 20
    assert analysed["counts"]["analysed"] == 60
    assert _rows(store_url, "SELECT COUNT(*), COUNT(DISTINCT content_hash) FROM texts") == [
        (60, 60)]
    assert _rows(store_url, "SELECT COUNT(*) FROM urls") == [(60,)]
    stored = sorted(row[2:] for row in _rows(store_url, SPANS))  # ids differ: shards race
    assert stored == sorted(row[2:] for row in _rows(single, SPANS))  # the rerun added none


def _rows(url: str, sql: str) -> list[Any]:
    from propscope.store import open_store

    with open_store(url) as store:
        return [tuple(row) for row in store._execute(sql).fetchall()]  # type: ignore[attr-defined]
