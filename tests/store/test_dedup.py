"""Canonical URLs and the near-duplicate index (no database needed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propscope.store.dedup import (
    NearDuplicateIndex,
    canonical_url,
    redact,
    shingles,
    signature,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://WWW.Example.COM/News/a.html", "http://www.example.com/News/a.html"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("http://example.com/a/#comments", "http://example.com/a"),
        ("http://example.com/a/?utm_source=rss&utm_medium=feed", "http://example.com/a"),
        ("http://example.com/a?b=2&a=1&fbclid=xyz", "http://example.com/a?a=1&b=2"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com/", "http://example.com/"),
        ("http://example.com/a?id=", "http://example.com/a?id="),
        ("  http://example.com/a  ", "http://example.com/a"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected  # a canonical URL is its own key


def test_canonical_url_keeps_meaningful_query_and_path_case() -> None:
    assert canonical_url("http://e.com/Story?id=5") != canonical_url("http://e.com/story?id=5")
    assert canonical_url("http://e.com/s?id=5") != canonical_url("http://e.com/s?id=6")


@pytest.mark.parametrize("value", ["notes/a.txt", "-", "", "mailto", "http://host:port/x"])
def test_canonical_url_of_odd_input_does_not_raise(value: str) -> None:
    assert isinstance(canonical_url(value), str)


def test_signature_of_text_without_words_is_none() -> None:
    assert signature("  ... !!! ") is None
    assert shingles("two words") == {b"two words"}


def _story(change: str) -> str:
    base = " ".join(f"word{i}" for i in range(200))
    return f"{change} {base}"


def test_near_duplicates_are_linked_and_different_texts_are_not() -> None:
    index = NearDuplicateIndex()
    first = signature(_story("Pyongyang, May 1 (KCNA) --"))
    second = signature(_story("Pyongyang, May 2 (KCNA) --"))
    other = signature(" ".join(f"other{i}" for i in range(200)))
    assert first and second and other
    assert index.add(1, first) == []
    links = index.add(2, second)
    assert [o for o, _ in links] == [1]
    assert 0.8 <= links[0][1] <= 1.0
    assert index.add(3, other) == []
    assert len(index) == 3


def test_discarded_texts_are_no_longer_found() -> None:
    index = NearDuplicateIndex()
    sig = signature(_story("x"))
    assert sig
    index.add(1, sig)
    index.discard([1, 99])
    assert index.add(2, sig) == []


def test_index_refuses_a_signature_of_the_wrong_size() -> None:
    with pytest.raises(ValueError):
        NearDuplicateIndex().add(1, b"\x00" * 12)


_word = st.text(alphabet="abcXYZ019-_.~%", min_size=1, max_size=6)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    host = draw(st.sampled_from(["Example.com", "www.kcna.kp", "a.b.c", "127.0.0.1"]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(_word, max_size=3)))
    slash = draw(st.sampled_from(["", "/"]))
    names = st.sampled_from(["id", "page", "utm_source", "UTM_Medium", "fbclid", "q"])
    params = draw(st.lists(st.tuples(names, _word), max_size=4))
    query = "&".join(f"{k}={v}" for k, v in params)
    fragment = draw(st.sampled_from(["", "#top", "#"]))
    return f"{scheme}://{host}{port}/{path}{slash}" + (f"?{query}" if query else "") + fragment


@given(urls())
def test_canonical_url_is_idempotent_and_drops_tracking(url: str) -> None:
    key = canonical_url(url)
    assert canonical_url(key) == key
    assert "#" not in key and "utm_" not in key.lower() and "fbclid" not in key
    assert key.startswith(("http://", "https://"))


def test_redact_hides_only_the_password() -> None:
    assert redact("postgresql://me:s3cret@db:5432/news") == "postgresql://me:***@db:5432/news"
    assert redact("postgresql://me@db/news") == "postgresql://me@db/news"
    assert redact("news.db") == "news.db"
