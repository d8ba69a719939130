"""``analyze``: text or documents in, analysed documents out.

The CLI, the web server and the batch runner all call these two functions and add
nothing of their own, so a span means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from propscope.detect.base import Detector, detector_id, get_detector
from propscope.enrich.score import propaganda_density
from propscope.errors import DetectorError, EmptyInput
from propscope.model import AnalysedDocument, Document
from propscope.text.segment import sentences


def as_document(item: str | Document) -> Document:
    """A :class:`Document` from a raw string (normalised here) or as given."""
    if isinstance(item, Document):
        return item
    if not isinstance(item, str):
        raise TypeError(f"analyze takes str or Document, not {type(item).__name__}")
    return Document.from_raw(item)


def analyze(
    item: str | Document, detector: str | Detector = "default"
) -> AnalysedDocument:
    """Find the propaganda techniques in one text or document.

    A string is normalised first (see :mod:`propscope.text.normalise`); the spans
    returned index ``result.text``, the normalised text.  Raises
    :class:`~propscope.errors.EmptyInput` for a text with nothing but white space.
    """
    return analyze_many([item], detector)[0]


def analyze_many(
    items: Iterable[str | Document], detector: str | Detector = "default"
) -> list[AnalysedDocument]:
    """Batch form of :func:`analyze`: one detector call for the whole batch."""
    docs = [as_document(item) for item in items]
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
        # A span that does not say which detector found it gets this one's id, so
        # stored and exported spans always carry their provenance.
        spans = [s if s.detector else replace(s, detector=name) for s in found_spans]
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


def analyze_documents(docs: Sequence[Document], detector: str | Detector = "default",
                      batch_size: int = 64) -> Iterable[AnalysedDocument]:
    """Stream results for a long sequence of documents, ``batch_size`` at a time."""
    for i in range(0, len(docs), batch_size):
        yield from analyze_many(docs[i : i + batch_size], detector)
