"""The database commands, run through the CLI entry point as a user would."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from propscope.batch import analyze_database, analyze_store, ingest_documents
from propscope.cli.app import main
from propscope.model import Document, Provenance
from propscope.semeval.formats import read_labels_dir
from propscope.store import open_store

from .conftest import LexiconDetector, make_doc


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def analysed_db(store_url: str) -> str:
    with open_store(store_url) as store:
        ingest_documents(store, [make_doc(i) for i in range(4)])
        analyze_store(store, LexiconDetector())
    return store_url


def test_ingest_twice_adds_nothing_the_second_time(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "stories.jsonl"
    rows = [make_doc(i).to_dict() | {"section": "World"} for i in range(3)]
    rows.append(dict(rows[0], url="http://www.example.kp/en/world/0.html"))
    source.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{broken\n", encoding="utf-8")
    code, out, _ = _run(capsys, "ingest", str(source), "--db", store_url, "--json", "-q")
    assert code == 1  # one item failed
    first = json.loads(out)
    assert first["counts"]["texts_added"] == 3 and first["counts"]["urls_added"] == 4
    assert first["counts"]["errors"] == 1 and first["errors"][0]["code"].startswith("PS1")
    code, out, _ = _run(capsys, "ingest", str(source), "--db", store_url, "--json", "-q")
    again = json.loads(out)["counts"]
    assert (again["texts_added"], again["urls_added"], again["urls_known"]) == (0, 0, 4)


def test_stats_and_search(analysed_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "stats", "--db", analysed_db, "-f", "json")
    assert code == 0
    stats = json.loads(out)
    assert (stats["texts"], stats["urls"]) == (4, 4)
    assert stats["analysed"] == {"lexicon-test.v1": 4}
    assert stats["spans"] == {"lexicon-test.v1": {"Loaded_Language": 12}}
    code, out, _ = _run(capsys, "stats", "--db", analysed_db)
    assert "distinct texts" in out and "Loaded language" in out and "Loaded_Language" not in out
    code, out, _ = _run(capsys, "search", "county 2", "--db", analysed_db, "--format", "json")
    hits = [json.loads(line) for line in out.splitlines()]
    assert hits and hits[0]["title"] == "Story 2"
    code, _, err = _run(capsys, "search", "zzzqqq", "--db", analysed_db)
    assert code == 0 and "no matches" in err


def test_stats_title_is_the_database_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "news[/x].db")  # brackets Rich would read as a closing tag
    with open_store(db) as store:
        ingest_documents(store, [make_doc(1)])
    code, out, _ = _run(capsys, "stats", "--db", db)
    assert code == 0 and "news[/x].db" in out.replace("\n", "")


def test_search_table_shows_the_marked_matches(
    analysed_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The snippet marks a match as [word]: printed as text, not read as Rich markup.
    code, out, _ = _run(capsys, "search", "imperialist", "--db", analysed_db)
    assert code == 0 and "[imperialist]" in out


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "semeval"])
def test_export_to_a_path_that_cannot_be_written_is_ps701(
    analysed_db: str, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out = tmp_path if fmt != "semeval" else blocker / "sub"  # a folder; a file in the way
    code, _, err = _run(capsys, "export", "--format", fmt, "--db", analysed_db, "-o", str(out))
    assert code == 2 and "error PS701: cannot write" in err


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "semeval"])
def test_export_formats(
    analysed_db: str, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"export.{fmt}"
    code, _, err = _run(capsys, "export", "--format", fmt, "--db", analysed_db, "-o", str(out))
    assert code == 0, err
    if fmt == "jsonl":
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert len(records) == 4
        for record in records:
            assert [s["text"] for s in record["spans"]] == ["imperialist", "puppet", "heinous"]
            assert record["urls"][0]["section"] == "Home News"
    elif fmt == "csv":
        with out.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 12 and rows[0]["span_text"] == "imperialist"
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(out)
        assert table.num_rows == 12
        assert set(table.column("technique").to_pylist()) == {"Loaded_Language"}
    else:
        labels = read_labels_dir(out / "labels-tc")
        assert len(labels) == 12
        for label in labels:
            text = (out / "articles" / f"article{label.article_id}.txt").read_text("utf-8")
            assert text[label.start : label.end] in {"imperialist", "puppet", "heinous"}
        assert len(read_labels_dir(out / "labels-si")) == 12


def test_export_refuses_unknown_format_and_unanalysed_semeval(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(store_url).close()
    code, _, err = _run(capsys, "export", "--format", "xml", "--db", store_url, "-o",
                        str(tmp_path / "x"))
    assert code == 2 and "PS001" in err and "jsonl" in err
    code, _, err = _run(capsys, "export", "--format", "semeval", "--db", store_url, "-o",
                        str(tmp_path / "s"))
    assert code == 2 and "nothing in the store is analysed" in err


def test_analyze_database_is_incremental(store_url: str) -> None:
    with open_store(store_url) as store:
        ingest_documents(store, [make_doc(i) for i in range(5)])
    first = analyze_database(store_url, LexiconDetector())  # type: ignore[arg-type]
    again = analyze_database(store_url, LexiconDetector())  # type: ignore[arg-type]
    assert (first.counts["analysed"], again.counts["analysed"]) == (5, 0)


def test_analyze_db_through_the_cli_prints_the_run_report(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from present.keywords import KeywordDetector  # noqa: F401  (registers "keywords")

    with open_store(store_url) as store:
        ingest_documents(store, [make_doc(i) for i in range(3)])
    code, out, err = _run(capsys, "analyze", "--db", store_url, "-d", "keywords")
    assert code == 0 and out == ""
    assert "analysed" in err and "keywords" in err


@pytest.mark.parametrize(
    "flags",
    [["-f", "json"], ["-o", "out.json"], ["--raw"], ["--encoding", "latin-1"],
     ["--max-bytes", "10"], ["--allow-private"], ["-f", "json", "-o", "out.json"]],
)
def test_analyze_db_refuses_the_options_of_files(
    store_url: str, flags: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    open_store(store_url).close()
    code, out, err = _run(capsys, "analyze", "--db", store_url, *flags)
    assert code == 2 and out == ""
    assert err.startswith("error PS001: ") and err.count("\n") == 1
    assert flags[0] in err and "--db" in err
    assert not (tmp_path / "out.json").exists()


def test_since_without_db_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text("vile lies")
    code, _, err = _run(capsys, "analyze", str(path), "--since", "2024-01-01")
    assert code == 2 and "PS001" in err and "--since" in err


@pytest.mark.slow
def test_kcna_has_1840_urls_and_1039_distinct_texts(
    store_url: str, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = shared_data / "kcna" / "kcna-2024.jsonl"
    code, out, _ = _run(capsys, "ingest", str(source), "--db", store_url, "--json", "-q")
    assert code == 0
    counts = json.loads(out)["counts"]
    assert counts["documents"] == 1840 and counts["errors"] == 0
    assert (counts["urls_added"], counts["texts_added"]) == (1840, 1039)
    with open_store(store_url) as store:
        stats = store.stats()
        assert (stats.urls, stats.texts) == (1840, 1039)
        assert store.search("ComradeKim") == []  # the fused names were repaired


@pytest.mark.parametrize("command", [["stats"], ["search", "x"], ["export", "-o", "out.jsonl"]])
def test_reading_commands_refuse_a_missing_database(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.db"
    code, _, err = _run(capsys, *command, "--db", str(missing))
    assert code == 2 and "no database at" in err
    assert not missing.exists()


HOSTILE_TITLE = "Heinous\x1b]0;pwned\x07 title\x1b[2J"
HOSTILE_URL = "http://www.example.kp/\x1b[2J\u202eevil"


def test_search_shows_escapes_in_stored_titles_and_urls_instead_of_obeying_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "k.db")
    with open_store(db) as store:
        ingest_documents(store, [make_doc(3, title=HOSTILE_TITLE, url=HOSTILE_URL)])
    code, out, _ = _run(capsys, "search", "county", "--db", db)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b" in out and "pwned" in out  # shown as text (the table may wrap it)
    # Machine output keeps the value exact (JSON escapes it its own way).
    code, out, _ = _run(capsys, "search", "county", "--db", db, "--json")
    assert "\x1b" not in out and json.loads(out)["title"] == HOSTILE_TITLE


def test_file_names_in_messages_are_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "k.db")
    with open_store(db) as store:
        ingest_documents(store, [make_doc(1)])
    target = tmp_path / "out\x1b[2J.jsonl"
    code, _, err = _run(capsys, "export", "--db", db, "-o", str(target))
    assert code == 0 and target.exists()
    assert "\x1b" not in err and "out\\x1b[2J.jsonl" in err.replace("\n", "")
    missing = str(tmp_path / "gone\x1b]0;pwned\x07.db")
    code, _, err = _run(capsys, "stats", "--db", missing)
    assert code == 2 and "\x1b" not in err and "\x07" not in err and "\\x1b]0;pwned" in err


def test_the_run_report_escapes_item_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "feed\x1b]0;pwned\x07.jsonl"
    source.write_text("{broken\n", encoding="utf-8")
    code, _, err = _run(capsys, "ingest", str(source), "--db", str(tmp_path / "k.db"), "-q")
    assert code == 1
    assert "\x1b" not in err and "\x07" not in err and "pwned" in err


@pytest.mark.parametrize("command", [["stats"], ["search", "county"]])
def test_json_is_still_accepted_as_format_json(
    analysed_db: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, new, _ = _run(capsys, *command, "--db", analysed_db, "--format", "json")
    _, old, _ = _run(capsys, *command, "--db", analysed_db, "--json")
    assert new == old and json.loads(new.splitlines()[0])


@pytest.mark.parametrize("name", ["lexicon-test", "lexicon-test.v1"])
def test_export_takes_a_detector_name_or_name_and_version(
    analysed_db: str, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "spans.csv"
    code, _, err = _run(capsys, "export", "-f", "csv", "--db", analysed_db, "-o", str(out),
                        "--detector", name)
    assert code == 0, err
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12 and {r["detector"] for r in rows} == {"lexicon-test.v1"}


def test_export_refuses_a_detector_with_no_analyses(
    analysed_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "export", "--db", analysed_db, "-o", str(tmp_path / "x.jsonl"),
                        "--detector", "fast")
    assert code == 2 and err.startswith("error PS301: ") and "lexicon-test.v1" in err


def test_search_pages_with_a_total_and_an_exact_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "k.db")
    with open_store(db) as store:
        ingest_documents(store, [
            Document(text=text, title=f"Story {i}", provenance=Provenance(source="t.jsonl"))
            for i, text in enumerate(["The US sent ships. Nothing else happened.",
                                      "Tell us what you used. Nothing else happened.",
                                      "They used us again. Nothing else happened."])
        ])
    code, out, err = _run(capsys, "search", "US", "--db", db, "-f", "json")
    assert code == 0 and len(out.splitlines()) == 3 and "of 3 texts (stemmed)" in err
    code, out, err = _run(capsys, "search", "US", "--db", db, "-f", "json", "--mode", "exact")
    assert code == 0 and len(out.splitlines()) == 1 and "1–1 of 1 texts (exact)" in err
    code, out, err = _run(capsys, "search", "happened", "--db", db, "-f", "json", "-n", "2",
                          "--offset", "2")
    assert code == 0 and len(out.splitlines()) == 1 and "3–3 of 3 texts" in err


@pytest.mark.parametrize("query", ["", "   ", "\"\"\"", "NOT only"])
def test_search_refuses_a_query_with_nothing_to_find(
    analysed_db: str, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "search", query, "--db", analysed_db)
    assert code == 2 and err.startswith("error PS602: ")
