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


def test_parse_date_accepts_what_sources_give() -> None:
    import time
    from datetime import date, datetime

    assert parse_date("2024-03-02") == date(2024, 3, 2)
    assert parse_date("2024-03-02T10:00:00Z") == date(2024, 3, 2)
    assert parse_date(datetime(2024, 3, 2, 5)) == date(2024, 3, 2)
    assert parse_date(time.strptime("2024-03-02", "%Y-%m-%d")) == date(2024, 3, 2)
    assert parse_date("yesterday") is None and parse_date(None) is None and parse_date("") is None
