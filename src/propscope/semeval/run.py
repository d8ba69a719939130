"""Run a detector over SemEval articles and get label lists in *raw* file offsets.

The one place where SemEval's raw offsets meet propscope's normalised ones: each
article file is read as UTF-8, made a :class:`~propscope.model.Document` with
``Document.from_raw`` (normalised text + offset map), the detector reads the
normalised text, and its spans go back with ``offset_map.span_to_raw``; TC template
spans and the gold spans the trainers learn from (:func:`gold_spans`) come in with
``span_to_norm``.

Detectors are used through the registry contract (``detect``); two optional methods
let a detector do better on the two sub-tasks that are not "find spans with
techniques":

* ``find_spans(text) -> list[Span]`` for SI (else: ``detect`` with techniques dropped);
* ``classify(text, [(start, end)]) -> list[Span]`` for TC (else: the technique of the
  detected span that overlaps the given one most, or the corpus' most frequent
  technique when none does).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from propscope.detect.base import Detector
from propscope.errors import FormatError
from propscope.model import Document, Span
from propscope.semeval.corpus import Article
from propscope.semeval.formats import Label
from propscope.techniques import TECHNIQUES_BY_NAME

FALLBACK_TECHNIQUE = "Loaded_Language"  # the most frequent PTC class


def _document(article: Article) -> Document:
    return Document.from_raw(article.raw, id=article.id)


def _to_norm(doc: Document, start: int, end: int) -> tuple[int, int]:
    """Raw file offsets of ``doc``'s article as offsets into ``doc.text``."""
    return doc.offset_map.span_to_norm(start, end) if doc.offset_map else (start, end)


def gold_spans(article: Article) -> tuple[Document, list[tuple[int, int, str]]]:
    """The article as a normalised document, and its gold TC labels as ``(start, end,
    technique)`` in that document's text (a label that normalisation emptied is
    dropped): what both trainers learn from, so they see the text inference reads."""
    doc = _document(article)
    spans = []
    for label in article.labels:
        if label.technique not in TECHNIQUES_BY_NAME:
            continue
        start, end = _to_norm(doc, label.start, label.end)
        if start < end:
            spans.append((start, end, label.technique))
    return doc, spans


def _to_raw(doc: Document, article_id: str, spans: Iterable[Span]) -> list[Label]:
    out = []
    offset_map = doc.offset_map
    for span in spans:
        start, end = (span.start, span.end) if offset_map is None else offset_map.span_to_raw(
            span.start, span.end
        )
        if end > start:
            out.append(Label(article_id, start, end, span.technique))
    return out


def predict_spans(detector: Detector, articles: Sequence[Article]) -> list[Label]:
    """Spans with techniques (``propscope semeval spans``), raw offsets."""
    docs = [_document(a) for a in articles]
    labels: list[Label] = []
    for article, doc, spans in zip(articles, docs, detector.detect(docs), strict=True):
        labels.extend(_to_raw(doc, article.id, spans))
    return labels


def predict_si(detector: Detector, articles: Sequence[Article]) -> list[Label]:
    """Spans without techniques (``propscope semeval si``), raw offsets."""
    labels: list[Label] = []
    find = getattr(detector, "find_spans", None)
    docs = [_document(a) for a in articles]
    if find is not None:
        results = [find(doc.text) for doc in docs]
    else:
        results = detector.detect(docs)
    for article, doc, spans in zip(articles, docs, results, strict=True):
        for label in _to_raw(doc, article.id, spans):
            labels.append(Label(label.article_id, label.start, label.end, None))
    return sorted(set(labels))


def predict_tc(
    detector: Detector, articles: Sequence[Article], template: Sequence[Label]
) -> list[Label]:
    """A technique for every template line (``propscope semeval tc``), same offsets."""
    by_article: dict[str, list[Label]] = defaultdict(list)
    for label in template:
        by_article[label.article_id].append(label)
    classify = getattr(detector, "classify", None)
    out: list[Label] = []
    for article in articles:
        wanted = by_article.get(article.id)
        if not wanted:
            continue
        doc = _document(article)
        norm = [_template_span(doc, article, label) for label in wanted]
        if not doc.text:
            techniques = [FALLBACK_TECHNIQUE] * len(wanted)
        elif classify is not None:
            techniques = [s.technique for s in classify(doc.text, norm)]
        else:
            techniques = _by_overlap(norm, detector.detect([doc])[0])
        for label, technique in zip(wanted, techniques, strict=True):
            out.append(Label(label.article_id, label.start, label.end, technique))
    return out


def _template_span(doc: Document, article: Article, label: Label) -> tuple[int, int]:
    """A template span in normalised offsets, never empty (a span of white space that
    normalisation collapsed keeps one character) and never past the text."""
    if label.end > len(article.raw):
        raise FormatError(
            f"template span {label.start}-{label.end} ends past article {article.id} "
            f"({len(article.raw)} characters)"
        )
    start, end = _to_norm(doc, label.start, label.end)
    length = len(doc.text)
    start = min(start, max(length - 1, 0))
    return start, min(max(end, start + 1), length)


def _by_overlap(spans: list[tuple[int, int]], found: list[Span]) -> list[str]:
    result = []
    for start, end in spans:
        best, best_overlap = FALLBACK_TECHNIQUE, 0
        for span in found:
            overlap = min(end, span.end) - max(start, span.start)
            if overlap > best_overlap and span.technique:
                best, best_overlap = span.technique, overlap
        result.append(best)
    return result
