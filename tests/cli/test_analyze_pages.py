"""``propscope analyze`` on scraped pages: furniture set apart, names repaired, the
eulogies flagged, and spans indexing the cleaned text it prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from propscope.techniques import TECHNIQUE_NAMES

from .conftest import Run

EULOGIES = ("immortal achievements", "ever-victorious", "invincible military power",
            "imperialist", "final victory", "Thanks to him")


@pytest.mark.parametrize("detector", ["fast", "default"])
def test_wpk_page_is_cleaned_and_its_eulogies_flagged(
    run: Run, wpk_example: Path, detector: str
) -> None:
    code, out, err = run("analyze", str(wpk_example), "-f", "json", "-d", detector)
    assert code == 0, err
    result = json.loads(out)
    text = result["text"]
    assert not text.startswith("Skip links")
    assert "cookies" not in text
    assert "inspect the Tower of the Juche Idea" not in text  # the caption
    assert "Kim Jong Il developed" in text and "Ildeveloped" not in text
    assert "Kim Il Sung and Kim Jong Il" in text
    flagged = [text[s["start"]:s["end"]] for s in result["spans"]]
    for phrase in EULOGIES:
        assert any(phrase in span or span in phrase for span in flagged), phrase
    for span in result["spans"]:
        assert 0 <= span["start"] < span["end"] <= len(text)
        assert span["technique"] in TECHNIQUE_NAMES
        assert span["text"] == text[span["start"]:span["end"]]


def test_raw_keeps_the_page_as_it_is(run: Run, wpk_example: Path) -> None:
    code, out, err = run("analyze", "--raw", str(wpk_example), "-f", "json", "-d", "fast")
    assert code == 0, err
    text = json.loads(out)["text"]
    assert text.startswith("Skip links") and "Ildeveloped" in text


def test_html_file_is_extracted_before_analysis(run: Run, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    body = " ".join(["The heroic people rallied behind the invincible army once more."] * 3)
    page.write_text(
        "<html><head><title>Rally</title><script>alert('x')</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>Rally</h1><p>{body}</p><p>{body}</p></article>"
        "<footer>This website uses cookies.</footer></body></html>",
        encoding="utf-8",
    )
    code, out, err = run("analyze", str(page), "-f", "json", "-d", "fast")
    assert code == 0, err
    result = json.loads(out)
    assert "alert" not in result["text"] and "<" not in result["text"]
    assert "invincible army" in result["text"]
    assert result["spans"], "the eulogy in the page body should be flagged"


def test_files_and_db_together_are_refused(run: Run, tmp_path: Path) -> None:
    code, _, err = run("analyze", "x.txt", "--db", str(tmp_path / "p.db"))
    assert code == 2 and "either files/URLs or --db" in err


def test_no_input_analyses_the_default_database(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundled_example: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PROPSCOPE_DB", raising=False)
    code, _, err = run("analyze")
    assert code == 2 and "nothing to analyse" in err
    code, _, err = run("ingest", str(bundled_example), "-q")
    assert code == 0, err
    assert (tmp_path / "propscope.db").is_file()
    code, _, err = run("analyze", "-d", "fast")
    assert code == 0, err
    assert "analysed" in err and "fast.v1" in err
    from propscope.store import open_store

    with open_store(str(tmp_path / "propscope.db"), create=False) as store:
        from propscope.detect.base import detector_id, get_detector

        assert store.count_pending(detector_id(get_detector("fast")), None) == 0
