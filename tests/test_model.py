"""The one contract: spans index a document's normalised text, checked at the border."""

from __future__ import annotations

import json
import math

import pytest

from propscope.errors import OffsetError
from propscope.model import AnalysedDocument, Document, Span, content_hash, spans_in_bounds


def test_span_refuses_empty_negative_and_unknown() -> None:
    for start, end in ((3, 3), (4, 3), (-1, 2)):
        with pytest.raises(OffsetError):
            Span(start, end)
    with pytest.raises(ValueError, match="unknown technique"):
        Span(0, 1, "Propaganda_Of_Any_Kind")
    with pytest.raises(ValueError, match="finite"):
        Span(0, 1, score=math.nan)
    with pytest.raises(TypeError):
        Span(0.0, 1)  # type: ignore[arg-type]


def test_span_takes_numpy_numbers_as_plain_python() -> None:
    np = pytest.importorskip("numpy")
    span = Span(np.int64(1), np.int32(4), "Doubt", score=np.float32(0.25))
    assert type(span.start) is int and type(span.end) is int and type(span.score) is float
    json.dumps(span.to_dict())


def test_analysed_document_refuses_a_span_past_its_text() -> None:
    doc = Document(text="short")
    with pytest.raises(OffsetError, match="ends past the text"):
        AnalysedDocument(document=doc, spans=[Span(2, 6)], detector="t.v1")
    with pytest.raises(OffsetError):
        spans_in_bounds([Span(0, 5), Span(0, 6)], doc.text)


def test_spans_are_sorted_and_counted() -> None:
    doc = Document(text="one two three four")
    result = AnalysedDocument(
        document=doc,
        spans=[Span(8, 13, "Doubt"), Span(0, 3, "Slogans"), Span(0, 7, "Doubt"), Span(4, 7)],
        detector="t.v1",
    )
    assert [(s.start, s.end) for s in result.spans] == [(0, 7), (0, 3), (4, 7), (8, 13)]
    assert result.counts() == {"Doubt": 2, "Slogans": 1, "propaganda": 1}
    assert result.span_text(result.spans[0]) == "one two"


def test_from_raw_normalises_and_keeps_the_way_back() -> None:
    raw = "\ufeffThe\u00a0\u00a0\u201cheroic\u201d  people\r\n"
    doc = Document.from_raw(raw, id="x")
    assert doc.text == 'The "heroic" people'
    assert doc.offset_map is not None
    start = doc.text.index("people")
    assert raw.__getitem__(slice(*doc.offset_map.span_to_raw(start, start + 6))) == "people"
    assert doc.content_hash == content_hash('The "heroic" people')


def test_to_dict_is_the_json_contract() -> None:
    raw = "Glory  to the invincible army!"
    doc = Document.from_raw(raw, id="d1", title="T")
    span = Span(13, 23, "Loaded_Language", score=0.87654, detector="t.v1", evidence="lexicon")
    data = AnalysedDocument(document=doc, spans=[span], detector="t.v1", score=1.0).to_dict()
    assert data["text"] == "Glory to the invincible army!"
    assert data["spans"] == [{
        "start": 13, "end": 23, "technique": "Loaded_Language", "score": 0.8765,
        "detector": "t.v1", "evidence": "lexicon", "text": "invincible",
        "raw_start": 14, "raw_end": 24,
    }]
    assert raw[14:24] == "invincible"
    assert data["score"] == 1.0 and data["counts"] == {"Loaded_Language": 1}
    assert {"id", "title", "content_hash", "language", "detector"} <= data.keys()
    json.dumps(data)


def test_the_constructors_refuse_nonsense_clearly() -> None:
    from datetime import date

    from propscope.errors import OffsetError

    for text in (None, 123, b"bytes"):
        with pytest.raises(TypeError, match="text must be str"):
            Document(text=text)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="start must be an int"):
        Span(True, 2)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="score must be a number"):
        Span(0, 2, score="0.5")  # type: ignore[arg-type]
    assert Document("a", published="2024-01-01").to_dict()["published"] == "2024-01-01"
    assert Document("a", published="2024-01-01").published == date(2024, 1, 1)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        Document("a", published="yesterday")
    other = Document.from_raw("a  much   longer   text")
    with pytest.raises(OffsetError, match="another text"):
        Document("short", offset_map=other.offset_map)
    doc = Document("short")
    with pytest.raises(OffsetError):
        doc.span_text(Span(2, 40))


def test_a_lone_surrogate_has_a_content_hash() -> None:
    assert len(Document("a \ud800 b").content_hash) == 64
