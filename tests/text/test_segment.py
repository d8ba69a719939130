"""Properties of sentence and word segmentation over normalised text."""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import given, settings

from propscope.text import segment
from propscope.text.normalise import normalise
from propscope.text.segment import sentences, words

from .strategies import any_text

PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(any_text)
def test_sentences_are_ordered_disjoint_and_trimmed(raw: str) -> None:
    text = normalise(raw).text
    previous_end = 0
    for start, end in sentences(text):
        assert 0 <= start < end <= len(text)
        assert start >= previous_end
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert "\n" not in text[start:end]
        previous_end = end


@PROPERTY
@given(any_text)
def test_sentences_cover_every_visible_character(raw: str) -> None:
    text = normalise(raw).text
    covered = [False] * len(text)
    for start, end in sentences(text):
        covered[start:end] = [True] * (end - start)
    assert all(covered[i] or char.isspace() for i, char in enumerate(text))


@PROPERTY
@given(any_text)
def test_words_are_ordered_disjoint_and_hold_no_space(raw: str) -> None:
    text = normalise(raw).text
    previous_end = 0
    for start, end in words(text):
        assert previous_end <= start < end <= len(text)
        assert not any(char.isspace() for char in text[start:end])
        previous_end = end
    # Every letter or digit is inside some word.
    inside = {i for start, end in words(text) for i in range(start, end)}
    assert all(i in inside for i, char in enumerate(text) if char.isalnum())


@PROPERTY
@given(any_text)
def test_words_in_a_window_are_the_words_of_the_window(raw: str) -> None:
    text = normalise(raw).text
    for start, end in sentences(text):
        inner = words(text, start, end)
        assert all(start <= s < e <= end for s, e in inner)


def test_sentence_examples() -> None:
    text = "The harvest is great. Victory is near!\nLong live the leader"
    found = [text[s:e] for s, e in sentences(text)]
    assert found == ["The harvest is great.", "Victory is near!", "Long live the leader"]


def test_offsets_count_code_points_not_bytes() -> None:
    text = "Über alles — c'est ça. Zweiter Satz 😀 hier! 한국어 문장입니다."
    found = [text[s:e] for s, e in sentences(text)]
    assert found[0] == "Über alles — c'est ça."
    assert found[-1].endswith("문장입니다.")
    assert [text[s:e] for s, e in words(text)][:4] == ["Über", "alles", "—", "c'est"]


def test_empty_and_blank_text_have_no_sentences() -> None:
    assert sentences("") == []
    assert sentences("\n\n") == []
    assert words("") == []


@settings(max_examples=150, deadline=None)
@given(any_text)
def test_direct_call_matches_blingfires_own_wrapper(raw: str) -> None:
    """The ctypes path and the package's wrapper find the same sentences."""
    text = normalise(raw).text
    direct = sentences(text)
    saved = segment._SPLIT
    segment._SPLIT = None
    try:
        assert sentences(text) == direct
    finally:
        segment._SPLIT = saved


def test_non_ascii_lines_map_bytes_to_characters() -> None:
    text = "Ça va. Très bien! 😀 Encore une phrase.\nZweite Zeile. Noch eine."
    found = [text[s:e] for s, e in sentences(text)]
    assert found == ["Ça va.", "Très bien! 😀 Encore une phrase.", "Zweite Zeile.",
                     "Noch eine."]


@pytest.mark.parametrize("direct", [True, False])
@pytest.mark.parametrize("text", ["a \ud800 b", "Bad \udcff byte. Next one!\n\udfff",
                                  "\ud83d\ude00 pair halves. Done."])
def test_lone_surrogates_split_like_replacement_characters(text, direct) -> None:
    """A lone surrogate cannot be UTF-8: it is read as U+FFFD, same offsets."""
    saved = segment._SPLIT
    if not direct:
        segment._SPLIT = None
    try:
        assert sentences(text) == sentences(text.replace("\ud800", "\ufffd")
                                            .replace("\udcff", "\ufffd")
                                            .replace("\udfff", "\ufffd")
                                            .replace("\ud83d", "\ufffd")
                                            .replace("\ude00", "\ufffd"))
    finally:
        segment._SPLIT = saved
    assert sentences(text)


def test_analyze_takes_a_text_with_a_lone_surrogate() -> None:
    import propscope

    result = propscope.analyze("a \ud800 b. The traitors lie.", "fast")
    assert result.text == "a \ufffd b. The traitors lie."
    assert [result.text[s:e] for s, e in result.sentences] == ["a \ufffd b.", "The traitors lie."]


def test_a_line_longer_than_the_limit_is_split_in_pieces_with_the_same_sentences() -> None:
    sentence = "The harvest is great and the people rejoice in the fields. "
    line = sentence * (segment.MAX_LINE_CHARS // len(sentence) * 3)
    found = sentences(line)
    assert len(found) == line.count(". ")
    assert all(line[s:e] == sentence.strip() for s, e in found)


def test_sentence_buffers_follow_a_piece_not_the_longest_line() -> None:
    """blingfire's buffers took ~20 bytes a character of the longest line: 200 MB for
    a 10 MB line; a line now goes to it in pieces of MAX_LINE_CHARS."""
    line = "glorious " * 330_000  # 3 MB on one line
    tracemalloc.start()
    found = sentences(line)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert found and found[0][0] == 0 and found[-1][1] == len(line) - 1
    assert peak < 20 * 2**20  # the text's own copies and the answer; was ~60 MB
