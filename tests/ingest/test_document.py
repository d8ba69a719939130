"""The one path every reader ends in: normalise, furniture, repair, and the composed map."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.ingest import IngestOptions
from propscope.ingest.document import build_document, parse_date

_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}

_PIECES = st.sampled_from(
    [
        "Kim Jong Ildeveloped the plan.",
        "ComradeKim Jong Un",
        "Kim Il Sungand",
        "word",
        "the party",
        ",",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\n\n\n",
        "\u2019s",
        "\u201cquoted\u201d",
        "Skip links\n",
        "This website uses cookies to improve your experience.\n",
        "e\u0301",
        "\u200b",
        "A plain sentence of prose that ends here.\n",
    ]
)


def _same(raw_char: str, char: str) -> bool:
    """Equal, or equal after what normalising does: a straightened quote, or a white
    space that stands for a run of white space and invisible characters."""
    if char.isspace():
        return raw_char.isspace() or unicodedata.category(raw_char) in ("Cf", "Cc")
    return raw_char == char or _QUOTES.get(raw_char) == char


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=40))
def test_every_kept_character_maps_back_to_itself(pieces: list[str]) -> None:
    raw = "".join(pieces) + " and a final sentence of plain prose for the body."
    doc = build_document(raw, options=IngestOptions(), source="s", item="i")
    inserted = {r["at"] for r in doc.meta["repairs"]}
    assert doc.offset_map.norm_length == len(doc.text)
    assert doc.offset_map.raw_length == len(raw)
    for i, char in enumerate(doc.text):
        if i in inserted or not char.isascii():
            continue  # an inserted space; NFC-composed letters map to their cluster
        j = doc.offset_map.to_raw(i)
        assert _same(raw[j], char), (i, char, raw[j])


@settings(max_examples=60, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=30))
def test_a_headline_put_in_front_leaves_every_other_offset_in_place(pieces: list[str]) -> None:
    raw = "".join(pieces) + " and a final sentence of plain prose for the body."
    doc = build_document(raw, options=IngestOptions(), source="s", item="i", title="Headline X")
    inserted = {r["at"] for r in doc.meta["repairs"]}
    assert doc.offset_map.norm_length == len(doc.text)
    assert doc.offset_map.raw_length == len(raw)
    front = len("Headline X\n\n") if doc.text.startswith("Headline X\n\n") else 0
    for i, char in enumerate(doc.text[front:], start=front):
        if i in inserted or not char.isascii():
            continue
        j = doc.offset_map.to_raw(i)
        assert _same(raw[j], char), (i, char, raw[j])


def test_parse_date_accepts_what_sources_give() -> None:
    import time
    from datetime import date, datetime

    assert parse_date("2024-03-02") == date(2024, 3, 2)
    assert parse_date("2024-03-02T10:00:00Z") == date(2024, 3, 2)
    assert parse_date(datetime(2024, 3, 2, 5)) == date(2024, 3, 2)
    assert parse_date(time.strptime("2024-03-02", "%Y-%m-%d")) == date(2024, 3, 2)
    assert parse_date("yesterday") is None and parse_date(None) is None and parse_date("") is None


BODY = "The committee met on Tuesday and adopted a resolution on the harvest, officials said."


def test_a_headline_line_stays_the_first_paragraph_and_the_title() -> None:
    headline = "Glorious Harvest Exceeds All Plans"
    raw = f"Skip links\n{headline}\n{headline}\n{BODY}\n"
    doc = build_document(raw, options=IngestOptions(), source="s", item="a.txt")
    assert doc.title == "Glorious Harvest Exceeds All Plans"
    assert doc.text == f"Glorious Harvest Exceeds All Plans\n{BODY}"
    assert doc.meta["furniture"]["title_line"] == ["Glorious Harvest Exceeds All Plans"]  # repeat
    for word in ("Glorious", "committee", "officials"):
        start = doc.text.index(word)
        assert raw[doc.offset_map.to_raw(start) :].startswith(word)


def test_a_title_given_apart_becomes_the_first_paragraph() -> None:
    doc = build_document(
        BODY, options=IngestOptions(), source="s", item="k:1", title="Crime  Against\nMankind"
    )
    assert doc.title == "Crime  Against\nMankind"
    assert doc.text == f"Crime Against Mankind\n\n{BODY}"
    # Spans in the body still lead to the raw text; the headline is not in it.
    start = doc.text.index("committee")
    assert doc.offset_map.to_raw(start) == BODY.index("committee")
    assert doc.offset_map.span_to_raw(0, len("Crime")) == (0, 0)
    for options in (IngestOptions(furniture=False), IngestOptions(repair=False)):
        again = build_document(BODY, options=options, source="s", item="k:1", title="Crime")
        assert again.text == f"Crime\n\n{BODY}"


def test_a_title_the_text_starts_with_is_not_doubled() -> None:
    for text in (f"Crime Against Mankind\n{BODY}", f"Crime against mankind. {BODY}"):
        doc = build_document(
            text, options=IngestOptions(), source="s", item="k", title="Crime Against Mankind"
        )
        assert doc.text.count("ankind") == 1 and doc.text.lower().startswith("crime against")
