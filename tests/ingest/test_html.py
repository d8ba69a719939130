"""One HTML page to one document: article, metadata, captions, repairs, bad input."""

from __future__ import annotations

import pytest

from propscope.errors import BinaryInput, DecodeError, EmptyInput, InputTooLarge
from propscope.ingest import IngestOptions, extract_html
from propscope.ingest.decode import declared_charset, decode_markup

from .conftest import article


def test_article_text_metadata_and_captions() -> None:
    doc = extract_html(
        article("Farm Visit", 1, "Kim Jong Un at the farm"), "https://news.example/1"
    )
    assert doc.title == "Farm Visit"
    assert doc.outlet == "Example Daily"
    assert str(doc.published) == "2024-05-01"
    assert doc.language == "en"
    assert doc.url == "https://news.example/1"
    assert doc.text.startswith(
        "Farm Visit\nThe respected Comrade Kim Jong Un inspected the new greenhouse"
    )
    assert doc.meta["furniture"]["caption"] == ["Kim Jong Un at the farm"]
    for furniture in ("Skip to content", "Share on Facebook", "cookies", "Home"):
        assert furniture not in doc.text
    assert "Kim Jong Un at the farm" not in doc.text
    assert [r["token"] for r in doc.meta["repairs"]] == ["ComradeKim", "Uninspected"]
    assert doc.meta["encoding"] == "utf-8"
    assert isinstance(doc.provenance.raw, bytes)


def test_offsets_lead_back_to_the_extracted_text() -> None:
    doc = extract_html(article("Farm Visit"), "https://news.example/1")
    start = doc.text.index("inspected")
    raw_start = doc.offset_map.to_raw(start)
    assert doc.offset_map.to_raw(start + len("inspected"), end=True) - raw_start == len("inspected")
    # "Comrade", "Kim Jong Un" and "inspected" were fused in the raw extracted text:
    # from "respected" to "inspected" it is two characters shorter there.
    before = doc.text.index("respected")
    assert raw_start - doc.offset_map.to_raw(before) == start - before - 2


def test_inline_boundaries_repair_only_non_words() -> None:
    html = (
        "<html><body><article><p>This long paragraph says that un<i>believ</i>able things "
        "happen and that <strong>bold</strong>text appears when pages set words in bold, "
        "and also that <b>W</b>ord stays one word as it should in every case here.</p>"
        "</article></body></html>"
    )
    doc = extract_html(html)
    assert "unbelievable" in doc.text
    assert "bold text" in doc.text
    assert "Word stays" in doc.text


def test_html_lang_sets_the_language() -> None:
    html = article("Farm Visit").replace(b'lang="en"', b'lang="ko-KP"')
    assert extract_html(html).language == "ko"


def test_wrong_declared_charset_is_overridden() -> None:
    body = "Делегация прибыла в столицу в понедельник и была встречена в аэропорту. " * 5
    data = f"<html><body><article><p>{body}</p></article></body></html>".encode("cp1251")
    doc = extract_html(data, declared_charset="utf-8")
    assert "Делегация прибыла" in doc.text
    assert doc.meta["encoding"] != "utf-8"


def test_missing_charset_is_detected() -> None:
    prose = (
        "<p>Le président a déclaré hier que la réunion, prévue à Genève, réunirait les "
        "délégués de vingt-trois pays. Les négociations, très attendues, porteront sur la "
        "sécurité, l'énergie et le commerce; les experts espèrent un accord d'ici l'été.</p>"
    )
    text, encoding = decode_markup(prose.encode("latin-1"))
    assert "président a déclaré" in text and encoding != "utf-8"


def test_valid_utf8_beats_a_wrong_single_byte_declaration() -> None:
    data = '<meta charset="iso-8859-1"><p>Déjà vu</p>'.encode()
    assert declared_charset(data) == "iso-8859-1"
    assert decode_markup(data)[0].endswith("Déjà vu</p>")


def test_binary_served_as_html() -> None:
    with pytest.raises(BinaryInput):
        extract_html(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)


def test_an_oversized_page_is_refused() -> None:
    page = b"<html><body>" + b"<p>word word word</p>" * 3_000_000 + b"</body></html>"  # ~60 MB
    with pytest.raises(InputTooLarge):
        extract_html(page, options=IngestOptions(max_bytes=50 * 1024 * 1024))


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"   ",
        "<html><body></body></html>",
        "<p>",
        "<html><head><title>T</title></head></html>",
    ],
)
def test_pages_without_article_text(html: str | bytes) -> None:
    with pytest.raises(EmptyInput):
        extract_html(html)


def test_malformed_html_still_extracts() -> None:
    html = (
        "<html><body><div><p>Unclosed paragraph that goes on long enough to be an article "
        "body, with several words and a clear ending sentence here. <b>bold <i>nested "
        "<p>Another paragraph that also runs long enough to count as article prose.</div>"
    )
    doc = extract_html(html)
    assert "Unclosed paragraph" in doc.text


def test_undecodable_page() -> None:
    with pytest.raises((DecodeError, BinaryInput)):
        extract_html(
            b"<p>" + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D] * 50),
            options=IngestOptions(encoding="utf-8"),
        )


def test_nested_and_oversized_captions() -> None:
    long_text = "This paragraph is part of the article and it goes on and on. " * 15
    html = (
        "<html><body><article>"
        f"<p>{long_text}</p>"
        '<div class="caption"><figcaption>Workers at the site</figcaption></div>'
        f'<div class="caption"><p>{long_text}</p></div>'
        "</article></body></html>"
    )
    doc = extract_html(html)
    assert doc.meta["furniture"]["caption"] == ["Workers at the site"]
    assert doc.text.count("This paragraph is part of the article") >= 15


def test_nested_inline_elements_are_marked_once_at_each_edge() -> None:
    html = (
        "<html><body><article><p>The gifts were sent by<a href='/k'><b>Kim Jong Un</b></a>to "
        "the builders, who had finished the new houses ahead of time, the agency said, "
        "adding that <span><em>many</em></span>families moved in on the same day.</p>"
        "</article></body></html>"
    )
    doc = extract_html(html)
    assert "sent by Kim Jong Un to the builders" in doc.text
    assert "many families" in doc.text
    assert [r["rule"].split(":")[0] for r in doc.meta["repairs"]].count("markup") >= 1


FIRST = "The committee met on Tuesday and adopted a resolution on the harvest, officials said."
SECOND = "Delegates praised the workers of the province for their devotion in the hard season."


@pytest.mark.parametrize(
    "bad", ["\x0c", "\x1b", "\x00", "\ufffe", "&#1;", "&#27;", "&#x1F;", "&#xFFFE;", "&#0;"]
)
def test_control_characters_do_not_hide_a_page(bad: str) -> None:
    html = (
        f"<html><head><title>Harvest{bad}</title></head><body><article><p>{FIRST}</p>"
        f"<p>Pro{bad}paganda works. {SECOND}</p></article></body></html>"
    )
    doc = extract_html(html)
    assert FIRST in doc.text and SECOND in doc.text
    assert "Propaganda works." in doc.text or "Pro paganda works." in doc.text
    assert any("control" in w for w in doc.meta["warnings"])
    assert "warnings" not in extract_html(html.replace(bad, "")).meta


def test_sanitise_keeps_valid_references_and_drops_invalid_ones() -> None:
    from propscope.ingest.markup import sanitise

    assert sanitise("a&#65;b&#x263A;c&#10;d") == ("a&#65;b&#x263A;c&#10;d", 0)
    assert sanitise("a&#1;b&#xc;c\x0bd&#xD800;e&#99999999;f") == ("ab c d\ufffdef", 5)


def test_text_nested_past_the_parser_depth_is_kept_with_a_warning() -> None:
    import time

    depth = 50_000
    html = (
        "<html><body><article>" + "<div>" * depth + f"<p>{FIRST}</p>" + "</div>" * depth
        + f"<p>{SECOND}</p></article></body></html>"
    )
    started = time.monotonic()
    doc = extract_html(html)
    assert time.monotonic() - started < 10
    assert FIRST in doc.text and SECOND in doc.text
    assert any("nested deeper" in w for w in doc.meta["warnings"])


def test_flatten_keeps_text_and_shallow_tags() -> None:
    from propscope.ingest.markup import flatten

    html = "<div><p>a<b>b</b>c</p>" + "<div>" * 3 + "<span>x</span>y" + "</div>" * 3 + "</div>"
    # The first inner <div> is at depth 2, still kept; the two below it are not.
    assert flatten(html, depth=2) == "<div><p>abc</p><div>  xy  </div></div>"


def test_a_title_given_apart_from_the_body_is_its_first_paragraph() -> None:
    html = (
        "<html><head><title>Harvest Exceeds All Plans</title></head><body><article>"
        f"<p>{FIRST}</p><p>{SECOND}</p></article></body></html>"
    )
    doc = extract_html(html)
    assert doc.title == "Harvest Exceeds All Plans"
    assert doc.text.startswith(f"Harvest Exceeds All Plans\n\n{FIRST}")
    start = doc.text.index(SECOND)
    assert doc.offset_map.to_raw(start) > 0
