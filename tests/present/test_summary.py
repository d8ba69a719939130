"""Words every face shares: the short quote of a span."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.present.summary import quote


def test_a_short_text_is_quoted_whole_on_one_line() -> None:
    assert quote("two\nlines  here") == "\u201ctwo lines here\u201d"


def test_a_long_text_is_shortened_between_words() -> None:
    text = "Our firmly held belief is that the leaders of the Early Party betrayed us"
    shown = quote(text, limit=40)
    assert shown == "\u201cOur firmly held … Party betrayed us\u201d"
    assert "firml…" not in quote("xx " + "firmly " * 20 + "rly Party", limit=30)


def test_one_overlong_word_is_the_only_thing_cut_inside() -> None:
    shown = quote("a" * 100, limit=20)[1:-1]
    assert len(shown) <= 20 and " … " in shown


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \n", max_size=120), st.integers(10, 90))
def test_shortened_quotes_keep_whole_words_and_the_limit(text: str, limit: int) -> None:
    shown = quote(text, limit)[1:-1]
    flat = " ".join(text.split())
    assert shown == flat if len(flat) <= limit else len(shown) <= limit
    words = set(text.split())
    for part in shown.split(" … "):
        for word in part.split():
            # Every word shown is a word of the text, unless one word alone was too long.
            assert word in words or max(map(len, words)) > (limit - 3) // 2
