"""One bad item never loses a run: each becomes an item error and the rest goes on."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from propscope.errors import DecodeError, FormatError, InputTooLarge
from propscope.ingest import IngestOptions, load
from propscope.model import Document

from .conftest import split as _split

BODY = "The committee met on Tuesday and adopted a resolution on the harvest, officials said."


def _page(title: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body><article><p>{BODY}</p>" \
        f"<p>{BODY}</p></article></body></html>".encode()


def _record(url: str | None, body: bytes, *, length: str | None = None) -> bytes:
    """One uncompressed WARC response record, written by hand so it can be broken."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(
        body
    ) + body
    target = f"WARC-Target-URI: {url}\r\n".encode() if url else b""
    declared = (length if length is not None else str(len(http))).encode()
    return (
        b"WARC/1.0\r\nWARC-Type: response\r\n" + target
        + b"WARC-Record-ID: <urn:uuid:%d>\r\n" % abs(hash(url))
        + b"Content-Type: application/http; msgtype=response\r\n"
        + b"Content-Length: " + declared + b"\r\n\r\n" + http + b"\r\n\r\n"
    )


def test_a_lone_surrogate_in_a_json_line_is_replaced_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"text": "Bad \\ud800 %s", "title": "T\\udfff", "tags": ["x\\ud800"]}\n'
        '{"text": "%s"}\n' % (BODY, BODY),
        encoding="utf-8",
    )
    docs, errors = _split(load([str(path)]))
    assert errors == [] and len(docs) == 2
    first = docs[0]
    assert "\ufffd" in first.text and len(first.content_hash) == 64  # encodable now
    assert first.title == "T\ufffd" and first.meta["fields"]["tags"] == ["x\ufffd"]
    assert any("surrogate" in w for w in first.meta["warnings"])
    assert "warnings" not in docs[1].meta


def test_a_warc_response_without_target_uri_is_one_item_error(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    path.write_bytes(
        _record("https://news.example/1", _page("One"))
        + _record(None, _page("No URI"))
        + _record("https://news.example/3", _page("Three"))
    )
    docs, errors = _split(load([str(path)]))
    assert [d.url for d in docs] == ["https://news.example/1", "https://news.example/3"]
    assert len(errors) == 1 and "WARC-Target-URI" in errors[0].error.message


def test_a_corrupt_gzip_warc_is_an_item_error_and_the_run_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00" + b"garbage, not deflate" * 20)
    good = tmp_path / "good.txt"
    good.write_text(BODY, encoding="utf-8")
    docs, errors = _split(load([str(bad), str(good)]))
    assert [d.text for d in docs] == [BODY]
    assert [e.item for e in errors] == [str(bad)] and isinstance(errors[0].error, FormatError)


def test_a_truncated_warc_record_is_an_item_error(tmp_path: Path) -> None:
    whole = _record("https://news.example/2", _page("Two"))
    path = tmp_path / "cut.warc"
    path.write_bytes(_record("https://news.example/1", _page("One")) + whole[:-80])
    docs, errors = _split(load([str(path)]))
    assert [d.url for d in docs] == ["https://news.example/1"]
    assert [e.item for e in errors] == ["https://news.example/2"]
    assert "cut short" in errors[0].error.message


def test_a_truncated_gzip_warc_record_is_an_item_error(tmp_path: Path) -> None:
    data = gzip.compress(_record("https://news.example/1", _page("One")))
    data += gzip.compress(_record("https://news.example/2", _page("Two")))
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[:-60])
    docs, errors = _split(load([str(path)]))
    assert [d.url for d in docs] == ["https://news.example/1"]
    assert len(errors) == 1 and errors[0].item in ("https://news.example/2", str(path))


def test_a_non_numeric_content_length_is_an_item_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.warc"
    path.write_bytes(
        _record("https://news.example/1", _page("One"))
        + _record("https://news.example/2", _page("Two"), length="twelve")
    )
    docs, errors = _split(load([str(path)]))
    assert [d.url for d in docs] == ["https://news.example/1"]
    assert errors and errors[0].item == "https://news.example/2"
    assert "Content-Length" in errors[0].error.message


def test_a_wrong_content_length_is_an_item_error(tmp_path: Path) -> None:
    record = _record("https://news.example/2", _page("Two"))
    http_length = record.split(b"Content-Length: ")[1].split(b"\r")[0]
    short = record.replace(
        b"Content-Length: " + http_length + b"\r\n\r\nHTTP",
        b"Content-Length: " + str(int(http_length) - 40).encode() + b"\r\n\r\nHTTP",
    )
    path = tmp_path / "odd.warc"
    path.write_bytes(_record("https://news.example/1", _page("One")) + short)
    docs, errors = _split(load([str(path)]))
    assert [d.url for d in docs] == ["https://news.example/1"]
    assert [e.item for e in errors][:1] == ["https://news.example/2"]


def test_rows_after_an_over_long_csv_field_are_read(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    long = "word " * 30_000
    path.write_text(
        f'title,text\nA,"{BODY}"\nB,"{long}\nstill the same field"\nC,"{BODY} Again, "" quoted."\n',
        encoding="utf-8",
    )
    docs, errors = _split(load([str(path)], IngestOptions(max_bytes=100_000)))
    assert [d.title for d in docs] == ["A", "C"]
    assert [e.item for e in errors] == [f"{path}:3"] and isinstance(errors[0].error, InputTooLarge)
    assert docs[1].text.endswith('"quoted."') or '" quoted.' in docs[1].text


def test_a_multi_line_csv_field_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(f'title,text\r\nA,"{BODY}\r\n\r\n{BODY}"\r\nB,{BODY[:-1]}\r\n')
    docs, errors = _split(load([str(path)]))
    assert errors == [] and [d.title for d in docs] == ["A", "B"]
    assert docs[0].text.count("committee") == 2


def test_a_source_that_breaks_off_ends_with_its_error_and_the_next_runs(
    tmp_path: Path,
) -> None:
    urls = tmp_path / "list.urls"
    urls.write_bytes(b"https://a.example/\n\xff\xfe\xfa not utf-8\n")
    good = tmp_path / "good.txt"
    good.write_text(BODY, encoding="utf-8")
    docs, errors = _split(load([str(urls), str(good)]))
    assert [d.text for d in docs] == [BODY]
    assert isinstance(errors[-1].error, DecodeError)


def test_a_bug_keeps_its_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import propscope.ingest.sources as sources

    def broken(*args: object, **kwargs: object) -> Document:
        raise TypeError("a bug, not bad input")

    monkeypatch.setattr(sources, "build_document", broken)
    path = tmp_path / "a.txt"
    path.write_text(BODY, encoding="utf-8")
    with pytest.raises(TypeError, match="a bug"):
        list(load([str(path)]))


def test_library_errors_on_bad_json_are_item_errors(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(json.dumps({"text": BODY}).encode()[:-3])
    docs, errors = _split(load([str(path), str(path)]))
    assert docs == [] and len(errors) == 2


@pytest.mark.parametrize("lines", [[b"X-Long: " + b"a" * (32 << 20)], [b"X-Many: abc"] * 200_000])
def test_warc_headers_are_read_within_a_bound(tmp_path: Path, lines: list[bytes]) -> None:
    import tracemalloc
    import zlib

    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    head = b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://news.example/2\r\n"
    parts = [packer.compress(head)]
    parts += [packer.compress(line + b"\r\n") for line in lines]
    parts += [packer.compress(b"Content-Length: 0\r\n\r\n\r\n\r\n"), packer.flush()]
    first = gzip.compress(_record("https://news.example/1", _page("One")))
    (tmp_path / "warm.warc.gz").write_bytes(first)
    list(load([str(tmp_path / "warm.warc.gz")]))  # word lists and caches load once, here
    path = tmp_path / "hostile.warc.gz"
    path.write_bytes(first + b"".join(parts))
    tracemalloc.start()
    try:
        docs, errors = _split(load([str(path)]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [d.url for d in docs] == ["https://news.example/1"]
    assert len(errors) == 1 and isinstance(errors[0].error, InputTooLarge)
    assert "header" in errors[0].error.message
    assert peak < 16 << 20  # the line alone is 32 MB


def test_reading_resumes_at_the_next_record_after_a_broken_one(tmp_path: Path) -> None:
    pages = [_record(f"https://news.example/{k}", _page(f"P{k}")) for k in range(4)]
    plain = tmp_path / "plain.warc"
    plain.write_bytes(
        pages[0] + _record("https://news.example/x", _page("X"), length="twelve") + pages[2]
    )
    packed = tmp_path / "packed.warc.gz"
    broken = bytearray(gzip.compress(pages[1]))
    broken[20:40] = b"\x00" * 20  # the deflate stream of the second member is garbage
    packed.write_bytes(
        gzip.compress(pages[0]) + bytes(broken) + gzip.compress(pages[2])
        + gzip.compress(pages[3])
    )
    docs, errors = _split(load([plain]))
    assert [d.url for d in docs] == ["https://news.example/0", "https://news.example/2"]
    assert errors and "reading on at byte" in errors[-1].error.message
    docs, errors = _split(load([packed]))
    assert [d.url for d in docs] == [f"https://news.example/{k}" for k in (0, 2, 3)]
    assert len(errors) >= 1


def test_a_file_broken_everywhere_is_given_up_after_a_bound(tmp_path: Path) -> None:
    from propscope.ingest.warc import MAX_RESYNCS

    path = tmp_path / "junk.warc"
    junk = b"\nWARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99\r\n\r\nHTTP/1.1 200 OK\r\n"
    path.write_bytes(_record("https://news.example/0", _page("P0")) + junk * 2000)
    docs, errors = _split(load([path]))
    assert [d.url for d in docs] == ["https://news.example/0"]
    resyncs = [e for e in errors if "broken at byte" in e.error.message]
    assert len(resyncs) == MAX_RESYNCS and "more than" in errors[-1].error.message
