"""SemEval label files: round trips and clear errors on malformed lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.errors import DecodeError, FormatError, InputNotFound, OutputError
from propscope.semeval.formats import Label, parse_line, read_labels, read_labels_dir, write_labels


def test_tc_and_si_files_round_trip(tmp_path: Path) -> None:
    labels = [Label("12", 5, 9, "Doubt"), Label("3", 0, 4, "Loaded_Language"),
              Label("3", 0, 4, "Name_Calling,Labeling")]
    path = tmp_path / "pred.txt"
    assert write_labels(path, labels, with_technique=True) == 3
    # numeric id order, then offsets
    assert path.read_text().splitlines()[0] == "3\tLoaded_Language\t0\t4"
    assert read_labels(path) == sorted(labels, key=lambda x: (int(x.article_id), x.technique))
    write_labels(path, labels, with_technique=False)
    assert path.read_text().splitlines()[-1] == "12\t5\t9"
    assert {(x.article_id, x.start, x.end) for x in read_labels(path)} == {
        ("12", 5, 9), ("3", 0, 4)}


def test_template_line_keeps_question_mark() -> None:
    assert parse_line("7\t?\t1\t3\n") == Label("7", 1, 3, "?")
    assert parse_line("   \n") is None


@pytest.mark.parametrize(
    "line, message",
    [
        ("1\t2", r"expected 3 \(SI\) or 4 \(TC\)"),
        ("1\tx\t3", "integers"),
        ("1\tPropaganda\t0\t3", "unknown technique"),
        ("1\t5\t5", "bad span"),
        ("1\t-1\t5", "bad span"),
    ],
)
def test_malformed_lines_raise_format_error(line: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse_line(line, where="f:1")


def test_writing_si_labels_as_tc_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no technique"):
        write_labels(tmp_path / "x", [Label("1", 0, 2)], with_technique=True)


def test_missing_files_raise_input_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound):
        read_labels(tmp_path / "absent.labels")
    with pytest.raises(InputNotFound):
        read_labels_dir(tmp_path / "absent")


def test_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.labels"
    path.write_text("1\t0\t4\n1\toops\t4\n")
    with pytest.raises(FormatError, match=r"bad.labels:2"):
        read_labels(path)


def test_a_label_file_not_in_utf8_is_a_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.labels"
    path.write_bytes(b"1\t0\t4\n1\tLoaded_Language\t0\t4 \xe9\n")
    with pytest.raises(DecodeError, match="latin1.labels is not valid UTF-8"):
        read_labels(path)


def test_a_prediction_file_that_cannot_be_written_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        write_labels(tmp_path / "absent" / "pred.txt", [Label("1", 0, 2)], with_technique=False)
