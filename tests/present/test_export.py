"""JSON, JSON Lines and CSV: offsets index the text that travels with them."""

from __future__ import annotations

import csv
import io
import json

from propscope.model import AnalysedDocument, Span
from propscope.present.export import CSV_COLUMNS, to_csv, to_json, to_jsonl

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
    assert hostile.text[int(first["start"]):int(first["end"])] == first["text"]
    assert rows[-1][-1] == 'He said, "never".\n'
    assert rows[-1][-2] == "a\rb"
