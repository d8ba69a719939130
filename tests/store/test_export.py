"""Store exports go through the one serialiser: the same columns and escapes as
``propscope analyze``, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from propscope.model import AnalysedDocument, Document, Span
from propscope.present.export import SPAN_COLUMNS, to_csv
from propscope.store import Store
from propscope.store.export import export

RAW = "  =HYPERLINK(\"http://evil.example\")\u2028next line  is a  lie."


@pytest.fixture
def stored(store: Store) -> tuple[Store, AnalysedDocument]:
    doc = Document.from_raw(RAW, title="@title", url="http://e.kp/1")
    [added] = store.add_documents([doc])
    item = store.get_text(added.text_id)
    text = item.document.text
    start = text.index("=")
    spans = [Span(start, text.index(")") + 1, "Doubt", 0.25, "t.v1+1a2b3c4d", "-evid\x85ence"),
             Span(text.index("lie"), text.index("lie") + 3, None, 0.5, "t.v1+1a2b3c4d", "x")]
    analysed = AnalysedDocument(item.document, spans, "t.v1+1a2b3c4d", 0.5)
    run = store.start_run("analyze")
    store.save_analyses(run, [(added.text_id, analysed)], {}, [])
    return store, analysed


def test_csv_has_the_columns_of_analyze_and_defuses_formulas(
    stored: tuple[Store, AnalysedDocument], tmp_path: Path
) -> None:
    store, analysed = stored
    assert export(store, "csv", tmp_path / "out.csv") == 2
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == SPAN_COLUMNS
    # The same rows as `analyze --format csv` writes for the same document and spans.
    assert rows == list(csv.reader(io.StringIO(to_csv([analysed]))))
    first = dict(zip(SPAN_COLUMNS, rows[1], strict=True))
    assert first["span_text"] == "'=HYPERLINK(\"http://evil.example\")"
    assert first["title"] == "'@title" and first["evidence"] == "'-evid\x85ence"
    assert export(store, "csv", tmp_path / "raw.csv", defuse_formulas=False) == 2
    with (tmp_path / "raw.csv").open(encoding="utf-8", newline="") as handle:
        raw = dict(zip(SPAN_COLUMNS, list(csv.reader(handle))[1], strict=True))
    assert raw["span_text"].startswith("=HYPERLINK") and raw["title"] == "@title"


def test_jsonl_escapes_line_separators_and_spans_match_analyze(
    stored: tuple[Store, AnalysedDocument], tmp_path: Path
) -> None:
    store, analysed = stored
    assert export(store, "jsonl", tmp_path / "out.jsonl") == 1
    data = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert "\u2028" not in data and "\x85" not in data
    assert len(data.splitlines()) == 1
    record = json.loads(data)
    assert "\u2028" in record["text"] and "\x85" in record["spans"][0]["evidence"]
    assert record["spans"] == analysed.to_dict()["spans"]  # raw offsets included
    assert {"raw_start", "raw_end", "text"} <= record["spans"][0].keys()
    assert record["scores"] == {"t.v1+1a2b3c4d": 0.5}
    assert record["urls"][0]["url"] == "http://e.kp/1"


def test_parquet_has_the_csv_columns(
    stored: tuple[Store, AnalysedDocument], tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    store, analysed = stored
    assert export(store, "parquet", tmp_path / "out.parquet") == 2
    table = pq.read_table(tmp_path / "out.parquet")
    assert tuple(table.column_names) == SPAN_COLUMNS
    # Parquet is not read by spreadsheets as formulas: the text is kept as it is.
    assert table.column("span_text").to_pylist()[0].startswith("=HYPERLINK")
    assert table.column("document").to_pylist() == [analysed.document.id] * 2
