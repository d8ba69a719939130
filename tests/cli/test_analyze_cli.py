"""``propscope analyze``: formats, outputs, several inputs, stdin, the default detector."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from propscope.errors import DetectorError
from propscope.techniques import TECHNIQUE_NAMES

from .conftest import Run

ARTICLE = (
    "The imperialist warmongers spread vile lies about us.\r\n\r\n"
    "Let us  defend the motherland with the harvest!\n"
)


@pytest.fixture()
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_bytes(ARTICLE.encode("utf-8"))
    return path


def spans_fit(doc: dict) -> None:
    for span in doc["spans"]:
        assert 0 <= span["start"] < span["end"] <= len(doc["text"])
        assert doc["text"][span["start"]:span["end"]] == span["text"]


def test_json(run: Run, article: Path) -> None:
    code, out, err = run("analyze", str(article), "--format", "json", "-d", "keywords")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["id"] == str(article)
    assert doc["text"].startswith("The imperialist warmongers spread vile lies about us.\n\nLet")
    assert [s["text"] for s in doc["spans"]] == [
        "imperialist warmongers", "warmongers", "vile lies",
        "Let us defend the motherland with the harvest", "motherland",
    ]
    spans_fit(doc)
    # raw offsets lead back into the file as read (CRLF and the double space intact).
    slogan = doc["spans"][3]
    assert ARTICLE[slogan["raw_start"]:slogan["raw_end"]] == (
        "Let us  defend the motherland with the harvest")
    assert doc["score"] == 1.0 and doc["detector"] == "keywords.v1"


def test_jsonl_one_object_per_document_including_stdin(run: Run, article: Path) -> None:
    code, out, _ = run("analyze", str(article), "-", "-f", "jsonl", "-d", "keywords",
                       stdin=b"Forward, puppet lackeys!")
    assert code == 0
    docs = [json.loads(line) for line in out.splitlines()]
    assert [d["id"] for d in docs] == [str(article), "stdin"]
    assert docs[1]["spans"][0]["text"] == "puppet lackeys"
    for doc in docs:
        spans_fit(doc)


def test_csv(run: Run, article: Path) -> None:
    code, out, _ = run("analyze", str(article), "-f", "csv", "-d", "keywords")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 5
    assert {r["technique"] for r in rows} <= set(TECHNIQUE_NAMES)
    assert rows[2]["span_text"] == "vile lies" and rows[2]["document"] == str(article)


def test_html_to_a_file(run: Run, article: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, out, err = run("analyze", str(article), "-f", "html", "-o", str(target), "-d", "keywords")
    assert (code, out, err) == (0, "", "")
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "vile lies</mark>" in html


def test_text_without_colour_when_piped(run: Run, article: Path) -> None:
    code, out, _ = run("analyze", str(article), "-d", "keywords")
    assert code == 0
    assert "[³vile lies]³" in out
    assert "Propaganda score: 1.00 (2 of 2 sentences hold a span)" in out
    assert "\x1b[" not in out


def test_text_to_a_file(run: Run, article: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    code, out, _ = run("analyze", str(article), "-o", str(target), "-d", "keywords")
    assert code == 0 and out == ""
    assert "]¹" in target.read_text(encoding="utf-8")


def test_encoding_option(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Les impérialistes: vile lies.".encode("latin-1"))
    code, out, _ = run("analyze", str(path), "--encoding", "latin-1", "-f", "json",
                       "-d", "keywords")
    assert code == 0
    assert json.loads(out)["text"] == "Les impérialistes: vile lies."


def test_unknown_detector(run: Run, article: Path) -> None:
    code, out, err = run("analyze", str(article), "-d", "no-such-detector")
    assert code == 2 and out == ""
    assert err.startswith("error PS301: unknown detector 'no-such-detector'")
    assert "keywords" in err  # the fix lists what is there


def test_the_cli_adds_nothing_to_the_library(run: Run, article: Path) -> None:
    import propscope

    code, out, _ = run("analyze", str(article), "-f", "json", "-d", "keywords")
    assert code == 0
    library = propscope.analyze(
        propscope.Document.from_raw(ARTICLE, id=str(article)), detector="keywords"
    )
    assert json.loads(out) == json.loads(json.dumps(library.to_dict()))


def test_default_detector_on_the_bundled_example(run: Run, bundled_example: Path) -> None:
    """End to end with the shipped detector; skips while it or its model is missing."""
    pytest.importorskip("propscope.detect.fast", reason="the fast detector is not built yet")
    import propscope

    try:
        propscope.get_detector("default")
    except DetectorError as exc:
        pytest.skip(f"default detector not usable yet: {exc.message}")
    code, out, err = run("analyze", str(bundled_example), "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["spans"], "the bundled example is written to hold propaganda"
    spans_fit(doc)
    assert {s["technique"] for s in doc["spans"]} <= set(TECHNIQUE_NAMES) | {None}
    assert 0 < doc["score"] <= 1


def test_narrow_stdout_encoding(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An ASCII-only stdout: machine formats still come out as UTF-8 with every
    character, and the terminal face replaces what it cannot show instead of failing."""
    from propscope.cli.app import main

    path = tmp_path / "ko.txt"
    path.write_text("“Les impérialistes” — 万岁! vile lies.", encoding="utf-8")
    for fmt in ("json", "text"):
        raw = io.BytesIO()
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
        assert main(["analyze", str(path), "-f", fmt, "-d", "keywords"]) == 0
        sys.stdout.flush()
        data = raw.getvalue()
        if fmt == "json":
            doc = json.loads(data.decode("utf-8"))
            assert doc["text"] == "\"Les impérialistes\" — 万岁! vile lies."
            spans_fit(doc)
        else:
            assert b"[^1vile lies]^1" in data
            assert b"imp?rialistes" in data


def test_min_score_hides_the_less_likely_spans(run: Run, article: Path) -> None:
    code, out, _ = run("analyze", str(article), "-f", "json", "-d", "fast")
    every = json.loads(out)["spans"]
    # Halfway between two shown scores: JSON rounds a score to 4 digits, so a cut at a
    # shown score would test which way its last digit was rounded.
    shown = sorted({s["score"] for s in every})
    cut = (shown[len(shown) // 2 - 1] + shown[len(shown) // 2]) / 2
    code, out, _ = run("analyze", str(article), "-f", "json", "-d", "fast",
                       "--min-score", str(cut))
    assert code == 0
    kept = json.loads(out)["spans"]
    assert kept == [s for s in every if s["score"] >= cut] and len(kept) < len(every)
    code, _, err = run("analyze", str(article), "--min-score", "1.5")
    assert code == 2 and "PS001" in err
