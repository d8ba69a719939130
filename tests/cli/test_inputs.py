"""One routing of inputs (:mod:`propscope.ingest.inputs`) for ``analyze`` and ``ingest``:
extension-less HTML, every record of a structured file, any case of URL scheme,
special files named for what they are, one name lexicon per run."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from propscope.errors import FetchError
from propscope.ingest import IngestOptions
from propscope.ingest.inputs import read_documents, read_inputs, url_of
from propscope.ingest.types import ItemError
from propscope.model import Document

from .conftest import Run

PAGE = (b"<!doctype html><html><head><title>Heinous provocation</title></head><body>"
        b"<nav><a href='/'>Home</a></nav><article><h1>Heinous provocation</h1>"
        b"<p>The imperialist warmongers spread vile lies about the harvest again today.</p>"
        b"<p>Workers pledged to defend the motherland and fulfil the plan ahead of time.</p>"
        b"</article></body></html>")


def _docs(run: Run, *args: str) -> list[dict]:
    code, out, err = run("analyze", *args, "-f", "jsonl", "-d", "keywords")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_html_without_a_suffix_is_extracted_not_markup(run: Run, tmp_path: Path) -> None:
    page = tmp_path / "page"
    page.write_bytes(PAGE)
    [doc] = _docs(run, str(page))
    assert "<p>" not in doc["text"] and "imperialist warmongers" in doc["text"]
    assert doc["title"] == "Heinous provocation"


def test_text_opening_with_a_bracket_stays_text(run: Run, tmp_path: Path) -> None:
    note = tmp_path / "note"
    note.write_text("[Editor's note] The imperialist warmongers spread vile lies.\n")
    [doc] = _docs(run, str(note))
    assert doc["text"].startswith("[Editor's note] The imperialist")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("records.jsonl", "".join(json.dumps({"text": f"Vile lies number {i}.", "id": i}) + "\n"
                                  for i in range(3))),
        ("records.json", json.dumps([{"text": f"Vile lies number {i}."} for i in range(3)])),
        ("records.csv", "id,text\n" + "".join(f"{i},Vile lies number {i}.\n" for i in range(3))),
        ("records", "".join(json.dumps({"text": f"Vile lies number {i}."}) + "\n"
                            for i in range(3))),
    ],
    ids=["jsonl", "json-list", "csv", "jsonl-without-suffix"],
)
def test_every_record_of_a_structured_file_is_analysed(
    run: Run, tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    docs = _docs(run, str(path))
    assert [d["text"] for d in docs] == [f"Vile lies number {i}." for i in range(3)]
    assert len({d["id"] for d in docs}) == 3  # each record named apart


def test_url_schemes_are_case_insensitive() -> None:
    assert url_of("HTTP://Example.KP/a?b=C") == "http://Example.KP/a?b=C"
    assert url_of("Https://example.kp/") == "https://example.kp/"
    assert url_of("notes.txt") is None and url_of("dir/http:x") is None
    with pytest.raises(FetchError, match="ftp:// URL"):
        url_of("ftp://example.kp/file.txt")


def test_an_upper_case_url_is_fetched_not_taken_for_a_path(run: Run) -> None:
    # A loopback address: refused by the fetcher (PS502), so nothing leaves the machine,
    # and the error shows the input was read as a URL, not as a missing file (PS101).
    code, _, err = run("analyze", "HTTP://127.0.0.1:9/page")
    assert code == 2 and err.startswith("error PS502: "), err


def test_another_scheme_is_refused_as_a_url(run: Run) -> None:
    code, _, err = run("analyze", "FTP://example.kp/x.txt")
    assert code == 2 and err.startswith("error PS501: ") and "http and https only" in err


@pytest.fixture()
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_a_fifo_is_named_for_what_it_is(run: Run, fifo: Path) -> None:
    code, out, err = run("analyze", str(fifo))  # must not block waiting for a writer
    assert code == 2 and out == ""
    assert err.startswith("error PS107: ") and "FIFO" in err and "not a regular file" in err
    assert "does not exist" not in err


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null here")
def test_a_device_is_named_for_what_it_is(run: Run) -> None:
    code, _, err = run("analyze", "/dev/null")
    assert code == 2 and "a character device, not a regular file" in err


def test_ingest_reports_a_fifo_for_what_it_is(run: Run, fifo: Path, tmp_path: Path) -> None:
    code, out, _ = run("ingest", str(fifo), "--db", str(tmp_path / "k.db"), "--json", "-q")
    assert code == 1
    [error] = json.loads(out)["errors"]
    assert error["code"] == "PS107" and "FIFO" in error["message"]


def test_ingest_reads_html_without_a_suffix(run: Run, tmp_path: Path) -> None:
    page = tmp_path / "page"
    page.write_bytes(PAGE)
    db = str(tmp_path / "k.db")
    code, out, _ = run("ingest", str(page), "--db", db, "--json", "-q")
    assert code == 0 and json.loads(out)["counts"]["texts_added"] == 1
    code, out, _ = run("search", "warmongers", "--db", db, "--json")
    assert "<p>" not in out and "Heinous provocation" in out


def test_a_folder_gives_every_file_it_holds(run: Run, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Vile lies.")
    (tmp_path / "b.html").write_bytes(PAGE)
    docs = _docs(run, str(tmp_path))
    assert len(docs) == 2


def test_one_name_lexicon_learns_across_the_inputs(tmp_path: Path) -> None:
    """Every input of a run shares one lexicon: a name seen standalone once in each of
    two files is known after both (``min_count`` is 2), as it would be in one file."""
    for n in (1, 2):
        (tmp_path / f"{n}.txt").write_text(f"Report {n}. Ri Pyong Chol inspected the plant.\n")
    options = IngestOptions()
    docs = list(read_documents([tmp_path / "1.txt", tmp_path / "2.txt"], options))
    assert len(docs) == 2
    assert "Ri Pyong Chol" in options.names


def test_analyze_makes_one_lexicon_per_run(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from propscope.text.repair import NameLexicon

    made: list[object] = []
    original = NameLexicon.__init__

    def counting(self: NameLexicon, *args: object, **kwargs: object) -> None:
        made.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(NameLexicon, "__init__", counting)
    paths = []
    for n in range(3):
        path = tmp_path / f"{n}.txt"
        path.write_text(f"Vile lies number {n}.")
        paths.append(str(path))
    assert len(_docs(run, *paths)) == 3
    assert len(made) == 1


def test_read_inputs_yields_errors_in_place_and_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Vile lies.")
    items = list(read_inputs([tmp_path / "gone.txt", good]))
    assert isinstance(items[0], ItemError) and items[0].error.code == "PS101"
    assert isinstance(items[1], Document) and items[1].id == str(good)


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Agency</title>
<item><guid isPermaLink="false">1</guid><title>One</title><description>&lt;p&gt;The
imperialist warmongers spread vile lies about the harvest in the first story.&lt;/p&gt;
</description></item>
<item><guid isPermaLink="false">2</guid><title>Two</title><description>&lt;p&gt;Workers
pledged to defend the motherland in the second story of the feed.&lt;/p&gt;
</description></item>
</channel></rss>"""


@pytest.mark.parametrize("name", ["agency.rss", "agency-feed"])
def test_every_entry_of_a_feed_file_is_analysed(run: Run, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(FEED, encoding="utf-8")
    docs = _docs(run, str(path))
    assert len(docs) == 2
    assert "first story" in docs[0]["text"] and "second story" in docs[1]["text"]


@pytest.fixture()
def loopback_page() -> Iterator[str]:
    """A page on a loopback server in this process (bounded: it serves until the test
    ends, only on 127.0.0.1)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server name)
            body = (b"<html><head><title>Loop</title></head><body><article><p>The vile "
                    b"puppet traitors staged a heinous provocation again today.</p>"
                    b"</article></body></html>") if self.path == "/page" else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/page"
    finally:
        server.shutdown()
        server.server_close()


def test_allow_network_lets_one_named_network_through(run: Run, loopback_page: str) -> None:
    code, _, err = run("analyze", loopback_page, "-f", "json", "--detector", "fast")
    assert code == 2 and err.startswith("error PS502: "), err
    code, out, err = run("analyze", loopback_page, "-f", "json", "--detector", "fast",
                         "--allow-network", "127.0.0.0/8")
    assert code == 0, err
    assert "puppet traitors" in json.loads(out)["text"]
    code, _, err = run("analyze", loopback_page, "-f", "json", "--detector", "fast",
                       "--allow-network", "10.0.0.0/8")
    assert code == 2 and err.startswith("error PS502: "), err
