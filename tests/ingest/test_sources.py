"""Every kind of source through ``load``: documents out, one error per failed item."""

from __future__ import annotations

import io
import json
import sys
from datetime import date
from pathlib import Path

import pytest

from propscope.errors import (
    AddressRefused,
    BinaryInput,
    FormatError,
    HttpStatusError,
    InputNotFound,
    RobotsDisallowed,
)
from propscope.ingest import IngestOptions, load, load_one
from propscope.model import Document

from .conftest import article
from .conftest import split as _split

BODY = "The committee met on Tuesday and adopted a resolution on the harvest, officials said."


def _assert_json_meta(doc: Document) -> None:
    meta = {k: v for k, v in doc.meta.items() if k != "raw"}
    json.dumps(meta)
    assert doc.provenance.raw is None or isinstance(doc.provenance.raw, bytes)


def test_text_html_json_jsonl_csv_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"Skip links\nA Title\n{BODY}\n", encoding="utf-8")
    (tmp_path / "b.html").write_bytes(article("Farm Visit"))
    (tmp_path / "c.json").write_text(json.dumps([{"text": BODY, "title": "J1"}, {"text": BODY}]))
    (tmp_path / "d.jsonl").write_text(
        json.dumps(
            {
                "text": BODY,
                "url": "https://x.example/1",
                "published": "2024-02-03",
                "section": "Home News",
                "outlet": "KCNA",
                "title": "T",
                "extra": 5,
            }
        )
        + "\n"
        + "{not json\n"
        + json.dumps({"no_text": 1})
        + "\n",
        encoding="utf-8",
    )
    (tmp_path / "e.csv").write_text(f'title,text\nRow,"{BODY}"\n', encoding="utf-8")
    (tmp_path / "ignored.png").write_bytes(b"\x89PNG")
    docs, errors = _split(load([str(tmp_path)]))
    assert len(docs) == 6
    assert [e.item.rsplit("/", 1)[-1] for e in errors] == ["d.jsonl:2", "d.jsonl:3"]
    assert all(isinstance(e.error, FormatError) for e in errors)
    by_item = {d.provenance.item.rsplit("/", 1)[-1]: d for d in docs}
    # The headline is analysed too: the title and the first line of the text.
    assert by_item["a.txt"].text == f"A Title\n{BODY}" and by_item["a.txt"].title == "A Title"
    assert by_item["a.txt"].meta["furniture"]["skip_links"] == ["Skip links"]
    assert by_item["b.html"].title == "Farm Visit"
    assert by_item["c.json[0]"].title == "J1"
    line = by_item["d.jsonl:1"]
    assert (line.url, line.published, line.outlet) == (
        "https://x.example/1",
        date(2024, 2, 3),
        "KCNA",
    )
    assert line.provenance.section == "Home News" and line.meta["fields"] == {"extra": 5}
    assert line.provenance.raw.startswith(b"{")
    assert by_item["e.csv:2"].title == "Row"
    for doc in docs:
        _assert_json_meta(doc)
        assert doc.provenance.source == str(tmp_path)


def test_missing_source_and_bad_files_are_item_errors(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary" * 10)
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "nocol.csv").write_text("a,b\n1,2\n")
    (tmp_path / "good.txt").write_text(BODY)
    docs, errors = _split(load([str(tmp_path / "nope.txt"), str(tmp_path)]))
    assert [d.text for d in docs] == [BODY]
    kinds = {Path(e.item).name: type(e.error).__name__ for e in errors}
    assert kinds == {
        "nope.txt": "InputNotFound",
        "bin.txt": "BinaryInput",
        "empty.txt": "EmptyInput",
        "nocol.csv": "FormatError",
    }
    assert isinstance(errors[0].error, InputNotFound)
    assert "PS101" in errors[0].one_line()


def test_unreadable_files_and_unknown_encodings_are_typed_item_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.csv", "b.jsonl", "c.txt", "d.warc"):
        (tmp_path / name).write_text("text\nsome words\n")
    docs, errors = _split(load([str(tmp_path / "a.csv")], IngestOptions(encoding="no-such")))
    assert not docs and [type(e.error).__name__ for e in errors] == ["DecodeError"]

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    docs, errors = _split(load([str(tmp_path)]))
    assert not docs
    assert {Path(e.item).name: e.error.code for e in errors} == {
        "a.csv": "PS107", "b.jsonl": "PS107", "c.txt": "PS107", "d.warc": "PS107"
    }


def test_load_is_lazy(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"text": f"{BODY} {k}"}) + "\n" for k in range(50)))
    items = load([str(path)])
    first = next(items)
    assert isinstance(first, Document) and first.text.endswith(" 0")
    items.close()


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(f"Skip links\n{BODY}".encode())))
    docs, errors = _split(load(["-"]))
    assert not errors and docs[0].text == BODY and docs[0].provenance.item == "standard input"


def test_warc_streams_page_records(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)

        def response(url: str, body: bytes, ctype: str, status: str = "200 OK") -> None:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)

        response("https://news.example/1", article("Farm Visit"), "text/html; charset=utf-8")
        response("https://news.example/logo.png", b"\x89PNG....", "image/png")
        response("https://news.example/old", b"", "text/html", "301 Moved Permanently")
        response("https://news.example/bin", b"\x89PNG\r\n\x1a\n" + bytes(300), "text/html")
        response("https://news.example/2", article("Second Visit", 2), "text/html")
        response("https://news.example/3.txt", BODY.encode(), "text/plain")
    docs, errors = _split(load([str(path)]))
    assert [d.url for d in docs] == [
        "https://news.example/1", "https://news.example/2", "https://news.example/3.txt"
    ]
    # A plain-text record reads as a fetched plain-text page does, outlet included.
    assert (docs[2].text, docs[2].outlet) == (BODY, "news.example")
    assert docs[0].title == "Farm Visit" and "Comrade Kim Jong Un inspected" in docs[0].text
    assert docs[0].meta["warc_date"]
    assert [(e.item, type(e.error)) for e in errors] == [("https://news.example/bin", BinaryInput)]


def test_a_truncated_warc_keeps_the_records_before_the_break(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for k in range(3):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                f"https://news.example/{k}",
                "response",
                payload=io.BytesIO(article(f"Story {k}", k)),
                http_headers=headers,
            )
        )
    data = buffer.getvalue()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: int(len(data) * 0.8)])
    docs, errors = _split(load([str(path)]))
    assert [d.title for d in docs] == ["Story 0", "Story 1"]
    assert len(errors) == 1


def test_a_file_that_is_no_archive_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.warc"
    path.write_bytes(b"this is not an archive at all\n" * 20)
    docs, errors = _split(load([str(path)]))
    assert docs == [] and len(errors) == 1 and isinstance(errors[0].error, FormatError)


def test_pages_by_url_and_url_list(server, local, tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(
        "\n".join(
            [
                "# pages to read",
                server("/news/1.html"),
                server("/always-500"),
                server("/binary"),
                server("/wrong-charset"),
                server("/private/secret.html"),
                server("/news/2.html"),
                server("/malformed"),
                server("/plain.txt"),
            ]
        )
        + "\n"
    )
    local.retries = 0
    docs, errors = _split(load([str(listing)], local))
    titles = [d.title for d in docs]
    assert titles[0] == "Farm Visit" and titles[-1] is None
    assert "Second Visit" in titles and "Новости" in titles
    russian = next(d for d in docs if d.title == "Новости")
    assert "Делегация прибыла" in russian.text
    assert docs[-1].text == "A plain text page that says enough words to count as prose."
    failed = {e.item.rsplit("/", 1)[-1]: type(e.error) for e in errors}
    assert failed == {
        "always-500": HttpStatusError,
        "binary": BinaryInput,
        "secret.html": RobotsDisallowed,
    }
    assert all(isinstance(d.meta["furniture"], dict) for d in docs)


def test_without_allow_private_loopback_urls_fail_per_item(server) -> None:
    docs, errors = _split(load([server("/news/1.html"), server("/news/2.html")], IngestOptions()))
    assert docs == [] and [type(e.error) for e in errors] == [AddressRefused, AddressRefused]


def test_feed_end_to_end(server, local) -> None:
    docs, errors = _split(load([server("/feed.xml")], local))
    assert [d.title for d in docs] == ["Farm Visit", "Second Visit"]
    assert docs[0].url == server("/news/1.html")
    assert docs[0].published == date(2024, 5, 1)
    assert docs[0].text.startswith("Farm Visit\nThe respected Comrade Kim Jong Un inspected")
    assert docs[0].meta["furniture"]["caption"] == ["A view of the farm"]
    for doc in docs:
        _assert_json_meta(doc)
    # A dead link, an entry linking to the feed itself (an error, not a loop), and an
    # entry with neither link nor content: each one error, the rest goes on.
    assert {e.item for e in errors} == {server("/news/gone.html"), server("/feed.xml"), "broken-1"}
    looping = next(e for e in errors if e.item == server("/feed.xml"))
    assert "is a feed, where a page was expected" in looping.error.message


def test_sitemap_end_to_end(server, local) -> None:
    docs, errors = _split(load([server("/sitemap.xml")], local))
    assert not errors and [d.title for d in docs] == ["Farm Visit", "Second Visit"]


def test_feed_and_sitemap_files(server, local, tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
        "<item><title>Inline</title><guid>g1</guid><description>&lt;p&gt;"
        + BODY
        + " "
        + BODY
        + "&lt;/p&gt;</description></item></channel></rss>"
    )
    local.fetch_feed_links = False
    docs, errors = _split(load([str(feed)], local))
    assert not errors and docs[0].title == "Inline"
    assert docs[0].text.startswith("Inline\n\nThe committee")  # the headline is analysed
    bad = tmp_path / "bad.xml"
    bad.write_text("<notafeed><x></notafeed>")
    docs, errors = _split(load([str(bad)], local))
    assert docs == [] and isinstance(errors[0].error, FormatError)


def test_load_one(server, local, tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_bytes(article("Farm Visit"))
    assert load_one(str(page)).title == "Farm Visit"
    assert load_one(server("/news/2.html"), local).title == "Second Visit"
    with pytest.raises(InputNotFound):
        load_one(str(tmp_path / "missing.html"))


def test_repair_and_furniture_can_be_switched_off(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"Skip links\nTitle Line\nKim Jong Ildeveloped the plan. {BODY}\n")
    raw = load_one(str(path), IngestOptions(repair=False, furniture=False))
    assert raw.text.startswith("Skip links\nTitle Line\nKim Jong Ildeveloped")
    fixed = load_one(str(path))
    assert fixed.text.startswith("Title Line\nKim Jong Il developed the plan.")


def test_wpk_example(wpk_example: Path) -> None:
    doc = load_one(str(wpk_example))
    raw_text = wpk_example.read_text(encoding="utf-8")
    assert doc.title == "WPK, Banner of Victory"
    furniture = doc.meta["furniture"]
    assert furniture["skip_links"] == ["Skip links"]
    assert furniture["caption"] == [
        "President Kim Il Sung and Chairman Kim Jong Il inspect the Tower of the Juche Idea"
    ]
    assert furniture["cookie_notice"] == [
        "🍪 This website uses cookies to improve your web experience."
    ]
    assert doc.text.startswith("WPK, Banner of Victory\n\nThe Workers' Party of Korea organizes")
    assert doc.offset_map.to_raw(0) == raw_text.index("WPK, Banner of Victory")
    assert "Kim Jong Il developed the WPK" in doc.text
    assert "party of Kim Il Sung and Kim Jong Il" in doc.text
    for fused in ("Ildeveloped", "Sungand", "Ilperformed", "Ilput", "Skip links", "cookies"):
        assert fused not in doc.text
    assert [r["token"] for r in doc.meta["repairs"]] == [
        "Ildeveloped",
        "Ilperformed",
        "Ilput",
        "Sungand",
    ]
    assert all(doc.text[r["at"]] == " " for r in doc.meta["repairs"])
    raw = wpk_example.read_text(encoding="utf-8")
    start = doc.text.index("Kim Jong Il developed")
    raw_start = doc.offset_map.to_raw(start)
    assert raw[raw_start:].startswith("Kim Jong Ildeveloped")


@pytest.mark.shared
def test_kcna_jsonl_loads_as_it_is(shared_data: Path) -> None:
    path = shared_data / "kcna" / "kcna-2024.jsonl"
    if not path.is_file():
        pytest.skip(f"needs {path}")
    docs, errors = _split(load([str(path)]))
    assert len(docs) == 1840 and not errors
    assert len({d.content_hash for d in docs}) <= 1039
    assert all(d.url and d.published and d.outlet == "KCNA" and d.provenance.section for d in docs)
    fused = sum(d.text.count("Kim Jong Unto ") + d.text.count("ComradeKim") for d in docs)
    assert fused == 0


def test_files_over_the_size_cap_are_item_errors(tmp_path: Path) -> None:
    from propscope.errors import InputTooLarge

    (tmp_path / "big.html").write_bytes(b"<p>" + b"word " * 400 + b"</p>")
    (tmp_path / "big.jsonl").write_text(json.dumps({"text": "word " * 400}) + "\n")
    (tmp_path / "small.txt").write_text(BODY)
    docs, errors = _split(load([str(tmp_path)], IngestOptions(max_bytes=1000)))
    assert [d.text for d in docs] == [BODY]
    assert sorted(Path(e.item).name for e in errors) == ["big.html", "big.jsonl:1"]
    assert all(isinstance(e.error, InputTooLarge) for e in errors)


def test_encoding_option_applies_to_json_files_too(tmp_path: Path) -> None:
    """A JSON export in a legacy code page reads right when ``--encoding`` names it, and
    fails with a typed error when it names an encoding that does not exist."""
    text = f"Перемога! {BODY}"
    (tmp_path / "legacy.json").write_bytes(
        json.dumps({"title": "Звіт", "text": text}, ensure_ascii=False).encode("cp1251")
    )
    docs, errors = _split(load([str(tmp_path / "legacy.json")], IngestOptions(encoding="cp1251")))
    assert not errors and docs[0].text == f"Звіт\n\n{text}" and docs[0].title == "Звіт"
    docs, errors = _split(load([str(tmp_path / "legacy.json")], IngestOptions(encoding="no-such")))
    assert not docs and [type(e.error).__name__ for e in errors] == ["DecodeError"]


def test_a_str_or_path_is_one_source_never_its_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Iterated, "a.txt" would be "a", ".", "t", "x", "t": "." reads the whole folder.
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "other.txt").write_text(BODY.replace("Tuesday", "Friday"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for source in ("a.txt", Path("a.txt"), tmp_path / "a.txt"):
        items = list(load(source))
        assert len(items) == 1 and isinstance(items[0], Document), source
        assert items[0].text == BODY
    assert len(list(load(["a.txt", Path("other.txt")]))) == 2
    assert load_one(Path("a.txt")).text == BODY
