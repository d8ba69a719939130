"""Fuzzing the readers with hostile input: ingest never raises, every bad item is an
item error, every document can be hashed and stored, and each input is read in time.

Inputs mix what broke runs before: control characters, lone surrogates (as JSON
escapes and in str input), character references XML forbids, deep nesting, long
fields, WARC records cut short or with lying lengths, gzip members broken mid-way.
"""

from __future__ import annotations

import gzip
import json
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from propscope.ingest import IngestOptions, ItemError, extract_html, load
from propscope.model import Document

BUDGET_S = 10.0
"""Per input, on a loaded 2-core machine: an order of magnitude over what it takes."""
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
OPTIONS = IngestOptions(max_bytes=64 * 1024, rate_limit=0)

_WORDS = st.sampled_from(
    ["The", "committee", "met", "on", "Tuesday", "and", "praised", "the", "harvest.", "Kim"]
)
_ODD = st.sampled_from(
    ["\x00", "\x0c", "\x1b", "\x7f", "\x85", "\ufffe", "\uffff", "\u200b", "\u202e", "\r",
     "\r\n", "\n\n", '"', '""', ",", "&#1;", "&#27;", "&#xFFFE;", "&#xD800;", "&#0;", "<", ">",
     "&", "\ud800", "\udfff", "é", "e\u0301", "🍪"]
)
_TEXT = st.lists(st.one_of(_WORDS, _ODD, st.text(max_size=8)), max_size=60).map(" ".join)


def _check(items: list[Document | ItemError]) -> None:
    """What every run must give: documents fit to store, typed item errors."""
    for item in items:
        if isinstance(item, ItemError):
            assert item.error.code.startswith("PS") and item.one_line()
            continue
        assert isinstance(item, Document)
        assert item.text.strip()
        item.text.encode("utf-8")  # a lone surrogate would fail here, and in the store
        assert len(item.content_hash) == 64
        json.dumps({k: v for k, v in item.meta.items() if k != "raw"})
        assert item.offset_map is None or item.offset_map.norm_length == len(item.text)


SENTINEL = "The delegation arrived in the capital on Monday and was met at the airport."


def _load(name: str, data: bytes, options: IngestOptions = OPTIONS) -> list[Document | ItemError]:
    """Load the fuzzed file, then a good one: the run must go on to the good one."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        good = Path(folder) / "zz-good.txt"
        good.write_text(SENTINEL, encoding="utf-8")
        started = time.monotonic()
        items = list(load([path, good], options))
        assert time.monotonic() - started < BUDGET_S
    _check(items)
    assert isinstance(items[-1], Document) and items[-1].text == SENTINEL
    return items[:-1]


def _escaped(text: str) -> str:
    """JSON for ``text``, lone surrogates written as the escapes that carry them."""
    return json.dumps(text, ensure_ascii=True)


@FUZZ
@given(st.lists(st.tuples(_TEXT, _TEXT, st.booleans()), min_size=1, max_size=8))
def test_json_lines(records: list[tuple[str, str, bool]]) -> None:
    lines = []
    for text, title, well_formed in records:
        line = f'{{"text": {_escaped(text)}, "title": {_escaped(title)}, "n": [1, {{}}]}}'
        lines.append(line if well_formed else line[: len(line) // 2])
    _load("a.jsonl", "\n".join(lines).encode("utf-8"))


@FUZZ
@given(st.lists(st.tuples(_TEXT, st.integers(0, 3)), min_size=1, max_size=8))
def test_csv_rows(rows: list[tuple[str, int]]) -> None:
    body = ["title,text"]
    for text, shape in rows:
        safe = text.replace("\ud800", "?").replace("\udfff", "?")
        quoted = '"' + safe.replace('"', '""') + '"'
        body.append([f"T,{quoted}", f"T,{quoted}" + "x" * 70_000, f"T,{safe}", quoted][shape])
    _load("rows.csv", "\r\n".join(body).encode("utf-8"))


def _warc_record(url: str | None, body: bytes, length: str | None) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    declared = str(len(http)) if length is None else length
    target = f"WARC-Target-URI: {url}\r\n" if url else ""
    return (
        f"WARC/1.0\r\nWARC-Type: response\r\n{target}"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {declared}\r\n\r\n"
    ).encode() + http + b"\r\n\r\n"


@FUZZ
@given(
    st.lists(
        st.tuples(
            _TEXT,
            st.one_of(st.none(), st.sampled_from(["0", "x", "-5", "99999", "3"])),
            st.booleans(),
        ),
        min_size=1,
        max_size=5,
    ),
    st.booleans(),
    st.floats(0.3, 1.0),
)
def test_warc_records(
    records: list[tuple[str, str | None, bool]], packed: bool, keep: float
) -> None:
    parts = []
    for k, (text, length, has_uri) in enumerate(records):
        page = f"<html><body><article><p>{text}</p></article></body></html>"
        url = f"https://news.example/{k}" if has_uri else None
        record = _warc_record(url, page.encode("utf-8", "surrogatepass"), length)
        parts.append(gzip.compress(record) if packed else record)
    data = b"".join(parts)
    cut = max(16, int(len(data) * keep))
    items = _load("crawl.warc.gz" if packed else "crawl.warc", data[:cut])
    # Every sound record wholly before the cut and before any lying one is read.
    named = {i.url if isinstance(i, Document) else i.item for i in items}
    end = 0
    for k, ((_, length, has_uri), part) in enumerate(zip(records, parts, strict=True)):
        end += len(part)
        if length is not None or not has_uri or end > cut:
            break
        assert f"https://news.example/{k}" in named, (k, items)


@FUZZ
@given(_TEXT, _TEXT, st.integers(0, 600), st.sampled_from(["div", "b", "span", "p", "li"]))
def test_html_pages(title: str, text: str, depth: int, tag: str) -> None:
    # Markup in the text ("<?", "<!--") may hide what follows, in a browser too: only
    # characters and references are fuzzed here, the structure is the test's.
    title, text = title.replace("<", "&lt;"), text.replace("<", "&lt;")
    page = (
        f"<html><head><title>{title}</title></head><body><article>"
        + f"<{tag}>" * depth + f"<p>{text}</p>" + f"</{tag}>" * depth
        + f"<p>{text} The committee met on Tuesday and praised the harvest.</p>"
        + "</article></body></html>"
    )
    started = time.monotonic()
    doc = extract_html(page, options=OPTIONS)  # no control character may hide the page
    assert time.monotonic() - started < BUDGET_S
    _check([doc])
    assert "praised the harvest" in doc.text
    _load("page.html", page.encode("utf-8", "surrogatepass"))
