"""The one contract: a :class:`Document` owns a normalised text; a :class:`Span` indexes it.

Offsets are Python code-point indices into ``Document.text``, end exclusive, and
``0 <= start < end <= len(text)`` holds for every span that reaches a document: it is
checked when an :class:`AnalysedDocument` is made, so no face (terminal, HTML, JSON,
database, SemEval file) ever sees a span outside its text.  A document made from raw
input keeps the :class:`~propscope.text.offsets.OffsetMap` back to that input, so a
span can be shown in the original too.
"""

from __future__ import annotations

import hashlib
import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from numbers import Real
from typing import Any

from propscope.errors import OffsetError
from propscope.techniques import TECHNIQUES_BY_NAME
from propscope.text.offsets import OffsetMap


def content_hash(text: str) -> str:
    """SHA-256 of the normalised text: the identity used for deduplication.

    ``surrogatepass`` because a JSON escape such as ``\\ud800`` yields a lone surrogate
    that strict UTF-8 refuses: one such record must not stop a run (normalisation
    replaces them, but a text built by hand may still hold one)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _offset(value: object, what: str) -> int:
    # operator.index refuses floats and strings; bool is an int to Python but never an
    # offset a caller meant, so Span(True, 2) is refused too.
    if isinstance(value, bool):
        raise TypeError(f"span {what} must be an int, not bool")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"span {what} must be an int, not {type(value).__name__}") from None


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of a document's text that a detector tied to one technique.

    ``technique`` is a PTC class name (see :mod:`propscope.techniques`) or ``None``
    for span identification alone (SemEval subtask SI).  ``evidence`` says why, in a
    few words a reader can check (e.g. ``"lexicon: 'imperialist'"``).
    """

    start: int
    end: int
    technique: str | None = None
    score: float = 1.0
    detector: str = ""
    evidence: str = ""

    def __post_init__(self) -> None:
        # Detectors often hand over numpy integers and floats; plain Python numbers keep
        # JSON, SQL and equality simple, and operator.index refuses a float offset.
        object.__setattr__(self, "start", _offset(self.start, "start"))
        object.__setattr__(self, "end", _offset(self.end, "end"))
        if isinstance(self.score, (str, bytes, bool)) or not isinstance(self.score, Real):
            raise TypeError(f"span score must be a number, not {type(self.score).__name__}")
        object.__setattr__(self, "score", float(self.score))
        if not math.isfinite(self.score):
            raise ValueError(f"span score must be a finite number, not {self.score}")
        if not (0 <= self.start < self.end):
            raise OffsetError(f"span [{self.start}, {self.end}) is empty or negative")
        if self.technique is not None and self.technique not in TECHNIQUES_BY_NAME:
            raise ValueError(f"unknown technique {self.technique!r}")

    def check(self, text: str) -> Span:
        """Return self if it lies inside ``text``; raise :class:`OffsetError` otherwise."""
        if self.end > len(text):
            raise OffsetError(f"span [{self.start}, {self.end}) ends past the text ({len(text)})")
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "technique": self.technique,
            "score": round(float(self.score), 4),
            "detector": self.detector,
            "evidence": self.evidence,
        }


@dataclass(slots=True)
class Provenance:
    """Where a document's text came from, as typed fields.

    Why typed: the store, run reports and the web read these; as untyped
    ``meta["source"]``-style keys a misspelt or never-set key read silently as None
    (``meta["source_kind"]`` and ``meta["raw_ref"]`` were read but never written).
    ``meta`` keeps what is free-form: furniture, repairs, warnings, extra fields.

    ``source`` is the source as given (a path, URL or ``-``); ``kind`` its kind when
    known (``jsonl``, ``feed``, ``warc`` …; the store guesses from ``source`` else);
    ``item`` the item inside it (a line, a record, a URL); ``section`` the outlet's
    section; ``record_id`` the record's own id; ``raw`` the original bytes when small
    enough to keep (``raw_ref`` points to them elsewhere when they are not).
    """

    source: str | None = None
    kind: str | None = None
    item: str | None = None
    section: str | None = None
    record_id: str | None = None
    raw: bytes | None = field(default=None, repr=False)
    raw_ref: str | None = None

    def __post_init__(self) -> None:
        for name in ("source", "kind", "item", "section", "record_id", "raw_ref"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise TypeError(f"provenance {name} must be str, not {type(value).__name__}")
        if self.raw is not None and not isinstance(self.raw, bytes):
            raise TypeError(f"provenance raw must be bytes, not {type(self.raw).__name__}")

    def to_dict(self) -> dict[str, Any]:
        """The JSON-safe fields (raw bytes are left out: they have their own column)."""
        return {name: getattr(self, name) for name in
                ("source", "kind", "item", "section", "record_id", "raw_ref")
                if getattr(self, name) is not None}


@dataclass(slots=True)
class Document:
    """A normalised text and what is known about where it came from.

    Build one from raw input with :meth:`from_raw` (normalises and keeps the offset
    map) or directly when the text is already normalised (e.g. read from the store).
    """

    text: str
    id: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: date | None = None
    language: str = "en"
    offset_map: OffsetMap | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    provenance: Provenance = field(default_factory=Provenance)

    def __post_init__(self) -> None:
        # Refuse what would fail later, far from the mistake (AttributeError in
        # normalise, IndexError in an export): the constructor is the public API.
        if not isinstance(self.text, str):
            raise TypeError(f"Document text must be str, not {type(self.text).__name__}")
        if not isinstance(self.provenance, Provenance):
            raise TypeError("provenance must be a Provenance")
        if isinstance(self.published, str):
            try:
                self.published = date.fromisoformat(self.published[:10])
            except ValueError:
                raise ValueError(f"published {self.published!r} is not a YYYY-MM-DD date"
                                 ) from None
        elif isinstance(self.published, datetime):
            self.published = self.published.date()
        elif self.published is not None and not isinstance(self.published, date):
            raise TypeError(f"published must be a date, not {type(self.published).__name__}")
        if self.offset_map is not None:
            if not isinstance(self.offset_map, OffsetMap):
                raise TypeError("offset_map must be an OffsetMap")
            if self.offset_map.norm_length != len(self.text):
                raise OffsetError(
                    f"the offset map covers {self.offset_map.norm_length} characters but the "
                    f"text has {len(self.text)}: it belongs to another text",
                    fix="build the document with Document.from_raw, or leave offset_map out",
                )

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    @classmethod
    def from_raw(cls, raw: str, **fields: Any) -> Document:
        """Normalise ``raw`` (NFC, whitespace, quotes) and keep the map back to it."""
        from propscope.text.normalise import normalise

        if not isinstance(raw, str):
            raise TypeError(f"raw text must be str, not {type(raw).__name__}")
        result = normalise(raw)
        return cls(text=result.text, offset_map=result.offset_map, **fields)

    def span_text(self, span: Span) -> str:
        """The text under ``span``; an :class:`OffsetError` for a span of another text."""
        return self.text[span.check(self.text).start : span.end]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "outlet": self.outlet,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
            "content_hash": self.content_hash,
            "text": self.text,
        }


@dataclass(slots=True)
class AnalysedDocument:
    """A document, the spans found in it, and the document-level score.

    ``score`` is the propaganda density: the share of the document's sentences that
    hold at least one span (0 = none, 1 = every sentence).  It is easy to explain to
    a reader and does not grow with document length.
    """

    document: Document
    spans: list[Span]
    detector: str
    score: float = 0.0
    sentences: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        text = self.document.text
        for span in self.spans:
            span.check(text)
        self.spans.sort(key=lambda s: (s.start, -s.end, s.technique or ""))

    @property
    def text(self) -> str:
        return self.document.text

    def span_text(self, span: Span) -> str:
        return self.document.span_text(span)

    def counts(self) -> dict[str, int]:
        """Number of spans per technique, most frequent first."""
        counts: dict[str, int] = {}
        for span in self.spans:
            key = span.technique or "propaganda"
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``propscope analyze --format json``.

        Span ``start``/``end`` index ``"text"``; ``raw_start``/``raw_end`` (present when
        the document was normalised from raw input) index that input as decoded.
        """
        doc = self.document.to_dict()
        spans = []
        offset_map = self.document.offset_map
        for span in self.spans:
            item = span.to_dict()
            item["text"] = self.span_text(span)
            if offset_map is not None:
                # Where the span lies in the input as read, before normalisation.
                item["raw_start"], item["raw_end"] = offset_map.span_to_raw(span.start, span.end)
            spans.append(item)
        doc.update(
            {
                "spans": spans,
                "score": round(self.score, 4),
                "detector": self.detector,
                "counts": self.counts(),
            }
        )
        return doc


def spans_in_bounds(spans: Iterable[Span], text: str) -> list[Span]:
    """Check every span against ``text``; the list back unchanged when all fit."""
    return [span.check(text) for span in spans]
