"""Polling feeds for ``watch``: only new entries, a 304 when nothing changed."""

from __future__ import annotations

import json

import pytest

from propscope.errors import FormatError, HttpStatusError
from propscope.ingest import FeedState, Fetcher, ItemError, ingest_entries, poll
from propscope.ingest.feeds import entries_of


def test_poll_returns_new_entries_then_nothing(server, local) -> None:
    state = FeedState()
    with Fetcher(local) as fetcher:
        first = poll(server("/feed.xml"), state, fetcher=fetcher)
        assert [e.title for e in first] == [
            "Farm Visit",
            "Second Visit",
            "Gone Story",
            "Itself",
            "No link, no content",
        ]
        assert first[0].link == server("/news/1.html") and first[0].feed == "Example Daily"
        assert str(first[0].published) == "2024-05-01"
        assert state.http[server("/feed.xml")]["etag"] == '"feed-v1"'
        assert poll(server("/feed.xml"), state, fetcher=fetcher) == []  # 304
        assert server.headers["/feed.xml"]["if-none-match"] == '"feed-v1"'
    # Without the validators the feed is fetched again, but its entries are not new.
    state.http.clear()
    assert poll(server("/feed.xml"), state, options=local) == []


def test_feed_state_round_trips_through_json() -> None:
    state = FeedState(http={"u": {"etag": "x"}}, seen=["a", "b"])
    again = FeedState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    assert FeedState.from_dict(None) == FeedState()


def test_ingest_entries_yields_documents_and_errors(server, local) -> None:
    entries = poll(server("/feed.xml"), FeedState(), options=local)
    items = list(ingest_entries(entries, local, source="my feed"))
    docs = [i for i in items if not isinstance(i, ItemError)]
    errors = [i for i in items if isinstance(i, ItemError)]
    assert [d.title for d in docs] == ["Farm Visit", "Second Visit"]
    assert all(d.provenance.source == "my feed" for d in docs)
    assert sorted(e.item for e in errors) == sorted(
        [server("/news/gone.html"), server("/feed.xml"), "broken-1"]
    )
    assert any(isinstance(e.error, HttpStatusError) for e in errors)


def test_poll_errors_are_typed(server, local) -> None:
    with pytest.raises(HttpStatusError):
        poll(server("/no-such-feed.xml"), FeedState(), options=local)
    with pytest.raises(FormatError, match="not a readable RSS or Atom feed"):
        poll(server("/not-a-feed.xml"), FeedState(), options=local)


def test_atom_and_broken_entries() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title>
    <entry><id>tag:1</id><title>One</title><link href="https://a.example/1"/>
      <updated>2024-06-01T10:00:00Z</updated><content type="html">&lt;p&gt;Hi&lt;/p&gt;</content></entry>
    <entry><title>No id or link</title></entry>
    </feed>"""
    entries, title = entries_of(atom, "atom.xml")
    assert title == "Atom News"
    assert [(e.id, e.link, e.content) for e in entries] == [
        ("tag:1", "https://a.example/1", "<p>Hi</p>"),
        ("atom.xml#2", None, None),
    ]
    assert str(entries[0].published) == "2024-06-01"
    with pytest.raises(FormatError):
        entries_of(b"\x00\x01 not xml", "junk")


def test_forgotten_entries_come_back_on_the_next_poll(server, local) -> None:
    state = FeedState()
    entries = poll(server("/feed.xml"), state, options=local)
    assert poll(server("/feed.xml"), state, options=local) == []
    state.forget([entries[2].id])  # "Gone Story" failed: try it again next time
    again = poll(server("/feed.xml"), state, options=local)
    assert [e.title for e in again] == ["Gone Story"]


def test_a_linked_page_without_a_title_takes_the_entry_title_as_its_headline(
    server, local, tmp_path
) -> None:
    from propscope.ingest import load

    feed = tmp_path / "feed.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
        f"<item><title>Plain Words</title><link>{server('/plain.txt')}</link><guid>p</guid>"
        "</item></channel></rss>"
    )
    docs = [d for d in load(feed, local) if not isinstance(d, ItemError)]
    assert docs[0].title == "Plain Words"
    assert docs[0].text.startswith("Plain Words\n\nA plain text page")
