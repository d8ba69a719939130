"""JSON, JSON Lines, CSV, Parquet and SemEval: offsets index the text that travels
with them, and every face writes the same columns with the same escapes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from propscope.model import AnalysedDocument, Span
from propscope.present.export import (
    CSV_COLUMNS,
    SPAN_COLUMNS,
    span_rows,
    to_csv,
    to_json,
    to_jsonl,
    write_parquet,
    write_semeval,
)
from propscope.semeval.formats import read_labels_dir

from .conftest import by_hand


def test_json_spans_index_its_own_text(hostile: AnalysedDocument) -> None:
    data = json.loads(to_json([hostile]))
    assert data["text"] == hostile.text
    assert data["score"] == round(hostile.score, 4)
    assert data["detector"] == "keywords.v1"
    assert data["counts"] == {"Name_Calling,Labeling": 2, "Flag-Waving": 1, "Slogans": 1}
    assert len(data["spans"]) == 4
    for span in data["spans"]:
        assert {"start", "end", "technique", "score", "evidence", "text"} <= span.keys()
        assert 0 <= span["start"] < span["end"] <= len(data["text"])
        assert data["text"][span["start"]:span["end"]] == span["text"]


def test_json_of_several_documents_is_an_array() -> None:
    data = json.loads(to_json([by_hand("One."), by_hand("Two.")]))
    assert [d["text"] for d in data] == ["One.", "Two."]


def test_jsonl_is_one_object_per_line_even_with_line_separators() -> None:
    tricky = by_hand("A\u2028B\u2029C\nD", (0, 3, "Doubt"))
    tricky.spans[0] = Span(0, 3, "Doubt", evidence="next\x85line")
    out = to_jsonl([tricky, by_hand("Two.")])
    lines = out.splitlines()
    assert len(lines) == 2 and out.endswith("\n")
    first = json.loads(lines[0])
    assert first["text"] == "A\u2028B\u2029C\nD"
    assert first["spans"][0]["text"] == "A\u2028B"
    assert first["spans"][0]["evidence"] == "next\x85line"


def test_csv_has_a_row_per_span_with_quoting(hostile: AnalysedDocument) -> None:
    tricky = by_hand('He said, "never".\nAgain', (0, 18, "Doubt"))
    tricky.spans[0] = Span(0, 18, "Doubt", evidence="a\rb")  # a lone CR must not split a row
    rows = list(csv.reader(io.StringIO(to_csv([hostile, tricky]))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + len(hostile.spans) + 1
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["technique"] == "Name_Calling,Labeling"
    assert hostile.text[int(first["start"]):int(first["end"])] == first["span_text"]
    assert first["score"] == f"{hostile.spans[0].score:.4f}"
    assert rows[-1][-1] == 'He said, "never".\n'
    assert rows[-1][-2] == "a\rb"


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+2", "-3+cmd|' /C calc'!A0",
            "@SUM(A1:A9)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_defuses_cells_a_spreadsheet_would_run(formula: str) -> None:
    text = formula + " and more"
    result = by_hand(text, (0, len(formula), "Doubt"))
    result.spans[0] = Span(0, len(formula), "Doubt", evidence=formula)
    result.document.title = formula
    row = dict(zip(SPAN_COLUMNS, list(csv.reader(io.StringIO(to_csv([result]))))[1],
                   strict=True))
    for column in ("title", "evidence", "span_text"):
        assert row[column] == "'" + formula, column
    assert row["start"] == "0" and row["technique"] == "Doubt"  # other cells as they were
    raw = dict(zip(SPAN_COLUMNS, list(csv.reader(io.StringIO(
        to_csv([result], defuse_formulas=False))))[1], strict=True))
    assert raw["evidence"] == raw["span_text"] == formula


def test_csv_leaves_ordinary_text_alone() -> None:
    result = by_hand("a = b, 'quoted', x-ray", (0, 5, "Doubt"))
    rows = list(csv.reader(io.StringIO(to_csv([result]))))
    assert rows[1][-1] == "a = b"
    assert CSV_COLUMNS == SPAN_COLUMNS and SPAN_COLUMNS[-1] == "span_text"


def test_parquet_has_the_csv_columns(hostile: AnalysedDocument, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    assert write_parquet(span_rows([hostile]), tmp_path / "out.parquet") == len(hostile.spans)
    table = pq.read_table(tmp_path / "out.parquet")
    assert tuple(table.column_names) == SPAN_COLUMNS
    assert table.column("span_text").to_pylist() == [hostile.span_text(s) for s in hostile.spans]
    assert write_parquet(iter([]), tmp_path / "empty.parquet") == 0
    assert tuple(pq.read_table(tmp_path / "empty.parquet").column_names) == SPAN_COLUMNS


def test_semeval_folder_of_analysed_documents(hostile: AnalysedDocument, tmp_path: Path) -> None:
    untitled = by_hand("No id here.\r\nSecond line.", (3, 5, None))
    untitled.document.id = None
    assert write_semeval([hostile, untitled], tmp_path) == 2
    si = read_labels_dir(tmp_path / "labels-si")
    assert len(si) == len(hostile.spans) + 1
    assert len(read_labels_dir(tmp_path / "labels-tc")) == len(hostile.spans)  # technique only
    for label in si:
        text = (tmp_path / "articles" / f"article{label.article_id}.txt").read_bytes().decode()
        assert label.end <= len(text)
    assert (tmp_path / "articles" / "article2.txt").read_bytes() == b"No id here.\r\nSecond line."
