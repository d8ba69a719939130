"""Properties of :func:`propscope.text.normalise.normalise` and its offset map."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.text.normalise import _EDITS, _QUOTES, _combines_backwards, normalise

from .strategies import any_text

PROPERTY = settings(max_examples=400, deadline=None)


@PROPERTY
@given(any_text)
def test_map_spans_both_texts(raw: str) -> None:
    result = normalise(raw)
    assert result.offset_map.norm_length == len(result.text)
    assert result.offset_map.raw_length == len(raw)


@PROPERTY
@given(any_text)
def test_to_raw_is_monotone_and_in_bounds(raw: str) -> None:
    result = normalise(raw)
    m = result.offset_map
    for end in (False, True):
        images = [m.to_raw(i, end=end) for i in range(len(result.text) + 1)]
        assert images == sorted(images)
        assert all(0 <= j <= len(raw) for j in images)
    # What lies before the first kept character was all removed: white space, invisibles.
    assert normalise(raw[: m.to_raw(0)]).text == ""


@PROPERTY
@given(any_text)
def test_to_norm_is_monotone_and_in_bounds(raw: str) -> None:
    result = normalise(raw)
    m = result.offset_map
    for end in (False, True):
        images = [m.to_norm(i, end=end) for i in range(len(raw) + 1)]
        assert images == sorted(images)
        assert all(0 <= j <= len(result.text) for j in images)


@PROPERTY
@given(any_text)
def test_alphanumerics_map_back_to_themselves(raw: str) -> None:
    """A letter or digit maps to the same letter in the raw text, and back, unless NFC
    composed or reordered the raw characters around it: then its raw span holds at
    least its base letter (a cluster NFC rewrote to the same length maps one for one,
    as the map keeps no breakpoints for equal-length pieces)."""
    result = normalise(raw)
    m = result.offset_map
    composing = any(_combines_backwards(c) for c in raw) or not unicodedata.is_normalized(
        "NFC", raw
    )
    for i, char in enumerate(result.text):
        if not char.isalnum():
            continue
        start, end = m.span_to_raw(i, i + 1)
        assert start < end
        if not composing:
            assert raw[start] == char
            assert m.to_norm(start) == i
            assert m.span_to_norm(start, start + 1) == (i, i + 1)
        else:
            base = unicodedata.normalize("NFD", char)[0]
            assert base in unicodedata.normalize("NFD", normalise(raw[start:end]).text)


@PROPERTY
@given(any_text)
def test_visible_characters_map_to_one_raw_character(raw: str) -> None:
    """Outside NFC, every visible character of the text came from exactly one raw
    character, itself or the curly quote it straightened, wherever edits sit next to
    it (a quote right after collapsed spaces, say)."""
    if any(_combines_backwards(c) for c in raw) or not unicodedata.is_normalized("NFC", raw):
        return
    result = normalise(raw)
    for i, char in enumerate(result.text):
        if char.isspace():
            continue
        start, end = result.offset_map.span_to_raw(i, i + 1)
        assert end - start == 1, (i, char, start, end)
        assert raw[start] == char or _QUOTES.get(raw[start]) == char


@PROPERTY
@given(any_text)
def test_a_span_round_trips_through_the_raw_text(raw: str) -> None:
    """Mapping a span to the raw text and back never loses any of it."""
    result = normalise(raw)
    m = result.offset_map
    n = len(result.text)
    for start in range(0, n, 3):
        for end in range(start + 1, min(n, start + 7) + 1):
            raw_start, raw_end = m.span_to_raw(start, end)
            assert 0 <= raw_start < raw_end <= len(raw)
            back_start, back_end = m.span_to_norm(raw_start, raw_end)
            assert back_start <= start and end <= back_end


@PROPERTY
@given(any_text)
def test_normalising_twice_changes_nothing(raw: str) -> None:
    once = normalise(raw).text
    again = normalise(once)
    assert again.text == once
    assert again.offset_map.is_identity()


@PROPERTY
@given(any_text)
def test_output_has_no_edit_left_to_make(raw: str) -> None:
    text = normalise(raw).text
    assert unicodedata.is_normalized("NFC", text)
    assert text == text.strip()
    assert "\r" not in text and "\n\n\n" not in text
    assert " \n" not in text and "\n " not in text
    assert "  " not in text and "\t" not in text
    assert not any(c in text for c in "\u00a0\u200b\u00ad\ufeff\u2018\u2019\u201c\u201d")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("plain text", "plain text"),
        ("\u200b a", "a"),  # invisible before leading space: still trimmed
        ("a \u200b", "a"),
        ("a\u200b\u0301", "\u00e1"),  # dropping the invisible lets the accent compose
        ("\u09c7\u09be", "\u09cb"),  # two starters that compose (Bengali O sign)
        ("a\r\nb\rc", "a\nb\nc"),
        ("a  \t b", "a b"),
        ("a \n\n\n\n b", "a\n\nb"),
        ("\u201cQuoted\u201d \u2018so\u2019", "\"Quoted\" 'so'"),
        ("soft\u00adhyphen", "softhyphen"),
        ("e\u0301te\u0301", "\u00e9t\u00e9"),
    ],
)
def test_examples(raw: str, text: str) -> None:
    assert normalise(raw).text == text


def test_a_span_maps_to_the_same_words_in_the_raw_text() -> None:
    raw = "\ufeffThe  \u201cglorious\u201d\r\n\r\n\r\nleader\u200b\u2019s  vi\u0301ctory"
    result = normalise(raw)
    assert result.text == "The \"glorious\"\n\nleader's v\u00edctory"
    start = result.text.index("glorious")
    raw_start, raw_end = result.offset_map.span_to_raw(start, start + len("glorious"))
    assert raw[raw_start:raw_end] == "glorious"
    start = result.text.index("v\u00edctory")
    raw_start, raw_end = result.offset_map.span_to_raw(start, len(result.text))
    assert raw[raw_start:raw_end] == "vi\u0301ctory"


def test_nfc_never_makes_a_character_the_edits_act_on() -> None:
    """Why NFC may run last: composing never yields white space, an invisible or a
    curly quote, so the result needs no second pass."""
    targets = re.compile(_EDITS.pattern + "|[\r\n]")
    changed = (chr(code) for code in range(0x110000) if not unicodedata.is_normalized(
        "NFC", chr(code)))
    for char in changed:
        if not targets.fullmatch(char):
            assert not targets.search(unicodedata.normalize("NFC", char)), hex(ord(char))


_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "\udbff\udc00"]


@PROPERTY
@given(any_text, st.lists(st.tuples(st.integers(0, 60), st.sampled_from(_SURROGATES)),
                          max_size=4))
def test_lone_surrogates_become_replacement_characters_one_for_one(raw, inserts) -> None:
    for at, surrogate in inserts:
        raw = raw[:at] + surrogate + raw[at:]
    result = normalise(raw)
    result.text.encode("utf-8")  # every character can now be stored and tokenised
    for k, char in enumerate(result.text):
        if char == "\ufffd" and "\ufffd" not in raw:
            start, end = result.offset_map.span_to_raw(k, k + 1)
            # The replacement maps back onto its surrogate: one for one in plain text
            # (test below), inside a wider piece where NFC rewrites the combining
            # marks around it (found: "e\ud800\u0323\u0301", "aa\u1ea1\ud800\u0301e").
            assert any("\ud800" <= c <= "\udfff" for c in raw[start:end])
    assert normalise(result.text).text == result.text


def test_a_lone_surrogate_keeps_the_words_around_it() -> None:
    result = normalise("a \ud800 b")
    assert result.text == "a \ufffd b"
    assert result.offset_map.span_to_raw(4, 5) == (4, 5)
