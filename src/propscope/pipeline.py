"""``analyze``: text or documents in, analysed documents out.

The CLI, the web server and the batch runner all call these two functions and add
nothing of their own, so a span means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from propscope.detect.base import Detector, detector_id, get_detector
from propscope.enrich.score import propaganda_density
from propscope.errors import DetectorError, EmptyInput
from propscope.model import AnalysedDocument, Document
from propscope.text.segment import sentences

READING_MIN_SCORE = 0.2
"""The threshold the reading faces start at (``propscope analyze``, the workbench's
slider): spans less likely than this to be right are hidden unless asked for.  Why 0.2:
with calibrated scores, spans below it were right 13 % of the time on PTC articles the
neural model never saw (11 % for fast), 7 of 30 in a reading of KCNA and Tehran Times
stories and 7 % in issue 11's reading, against 81 % for the spans at or above it in
that same reading (docs/semeval-and-detectors.md).  The library's ``analyze`` keeps
every span unless told otherwise, and the store keeps every span found."""

if TYPE_CHECKING:  # ingestion (httpx, trafilatura) loads only when a text needs it
    from propscope.ingest.types import IngestOptions


def as_document(item: str | Document, *, options: IngestOptions | None = None) -> Document:
    """A :class:`Document` from a text or as given.

    A string takes the path a text file takes in ``propscope analyze`` and ``ingest``
    (normalise, set page furniture apart, repair fused names: :func:`build_document`),
    so the library, the CLI and the store turn one input into one text.  A text that
    is nothing but furniture (a cookie notice alone) is analysed as it is rather than
    refused: the caller gave it to us to read."""
    if isinstance(item, Document):
        return item
    if not isinstance(item, str):
        raise TypeError(f"analyze takes str or Document, not {type(item).__name__}")
    from propscope.ingest.document import build_document
    from propscope.ingest.types import IngestOptions

    options = options or IngestOptions()
    try:
        return build_document(item, options=options, source="text", item="text")
    except EmptyInput:
        return Document.from_raw(item)  # blank or all furniture: the pipeline says which


def analyze(
    item: str | Document, detector: str | Detector = "default", *, min_score: float = 0.0
) -> AnalysedDocument:
    """Find the propaganda techniques in one text or document.

    A string is normalised first (see :mod:`propscope.text.normalise`); the spans
    returned index ``result.text``, the normalised text.  ``min_score`` keeps only spans
    scoring at least that much (the shipped detectors' scores are calibrated: the
    estimated chance that an annotator would mark the span with its technique).  Raises
    :class:`~propscope.errors.EmptyInput` for a text with nothing but white space.
    """
    return analyze_many([item], detector, min_score=min_score)[0]


def analyze_many(
    items: Iterable[str | Document], detector: str | Detector = "default", *,
    min_score: float = 0.0,
) -> list[AnalysedDocument]:
    """Batch form of :func:`analyze`: one detector call for the whole batch.

    Strings in one batch share one name lexicon, so a name seen whole in one text
    helps repair it where another fused it."""
    if isinstance(items, (str, bytes, Document)):
        raise TypeError("analyze_many takes a list of texts or documents; "
                        "use analyze() for one")
    if isinstance(min_score, bool) or not isinstance(min_score, (int, float)):
        raise TypeError(f"min_score is a number, not {type(min_score).__name__}")
    if not 0.0 <= min_score <= 1.0:
        raise ValueError(f"min_score is a probability in [0, 1], not {min_score}")
    items = list(items)
    options = None
    if any(isinstance(item, str) for item in items):
        from propscope.ingest.types import IngestOptions

        options = IngestOptions()
    docs = [as_document(item, options=options) for item in items]
    for doc in docs:
        if not doc.text.strip():
            name = doc.id or "the document"
            raise EmptyInput(f"{name} has no text once white space and invisible characters "
                             "are removed")
    found = get_detector(detector)
    all_spans = found.detect(docs) if docs else []
    name = detector_id(found)
    if len(all_spans) != len(docs):
        raise DetectorError(
            f"detector {name} returned {len(all_spans)} span lists for {len(docs)} documents",
            fix="a detector must return one list of spans per document",
        )
    results = []
    for doc, found_spans in zip(docs, all_spans, strict=True):
        # Every span carries the id of the detector as configured, whatever the
        # detector stamped itself, so JSON, the terminal and the store name one id.
        spans = [s if s.detector == name else replace(s, detector=name)
                 for s in found_spans if s.score >= min_score]
        sents = sentences(doc.text)
        results.append(
            AnalysedDocument(
                document=doc,
                spans=spans,
                detector=name,
                score=propaganda_density(sents, spans),
                sentences=sents,
            )
        )
    return results
