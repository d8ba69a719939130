"""``/api/v1``: the workbench's JSON API, over the same library calls as the pages.

Every error is ``{"code", "message", "fix"}`` with its status (see
:mod:`propscope.web.errors`).  Lists page with ``limit`` and ``offset`` and say their
``total``; an export streams every row, with its provenance in response headers.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from propscope.errors import UsageError
from propscope.model import AnalysedDocument
from propscope.present import export as write
from propscope.store import Store, StoredText
from propscope.techniques import TECHNIQUES
from propscope.web import analysis, corpus
from propscope.web.corpus import MAX_PAGE, Filters
from propscope.web.deps import FiltersDep, Period, StoreDep
from propscope.web.errors import NotFound

router = APIRouter(tags=["api"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]


class AnalyzeRequest(BaseModel):
    """Give ``text``, or a ``url`` to fetch (public http(s) addresses only)."""

    text: str | None = Field(default=None, description="The text to analyse.")
    url: str | None = Field(default=None, max_length=2000, description="A page to fetch.")


@router.post("/analyze", summary="Analyse a text or a page")
async def analyze(body: AnalyzeRequest, request: Request) -> dict[str, Any]:
    """The document, its spans (offsets index ``text``), the score and the detector."""
    settings = request.app.state.settings
    if (body.text is None) == (body.url is None):
        raise UsageError("give exactly one of text and url")
    gate = request.app.state.gate
    if body.text is not None:
        result = await run_in_threadpool(
            gate.run, analysis.analyse_text, body.text, settings.detector, settings.limits)
    else:
        result = await run_in_threadpool(
            gate.run, analysis.analyse_url, body.url or "", settings.detector, settings.limits)
    return result.to_dict()


@router.get("/documents", summary="List stored documents")
def documents(store: StoreDep, filters: FiltersDep, limit: Limit = 20,
              offset: Offset = 0) -> dict[str, Any]:
    """Newest first, filtered by outlet, technique, detector and date."""
    found = corpus.list_documents(store, filters, limit=limit, offset=offset)
    return {"total": found.total, "offset": found.offset, "limit": found.limit,
            "filters": filters.params(), "documents": [r.to_dict() for r in found.rows]}


@router.get("/documents/{text_id}", summary="One stored document")
def document(store: StoreDep,
             text_id: Annotated[int, Path(ge=1, le=2**62)],
             detector: Annotated[str | None, Query(max_length=200)] = None) -> dict[str, Any]:
    """Its text, spans (of ``detector``, or of every detector), metadata, every URL
    that carried it, its near-duplicates, and its passages that other documents carry
    (``same_passage_elsewhere``: ``known`` is false, with a ``fix``, until
    ``propscope report`` has run on the store)."""
    item = _stored(store, text_id, detector)
    record = write.stored_record(item)
    record["near_duplicates"] = [{"id": other, "jaccard": round(j, 4)}
                                 for other, j in store.near_duplicates(text_id)]
    shared = corpus.shared_passages(store, text_id)
    record["same_passage_elsewhere"] = (
        {"known": False, "fix": corpus.REPORT_FIX, "passages": []} if shared is None else
        {"known": True, "passages": [p.to_dict(item.document.text) for p in shared]})
    return record


def _stored(store: Store, text_id: int, detector: str | None) -> StoredText:
    item = store.get_text(text_id, detector=corpus.detector_param(detector))
    if item is None:
        raise NotFound(f"no document {text_id}", fix="list them at /api/v1/documents")
    return item


@router.get("/search", summary="Full-text search")
def search(store: StoreDep,
           q: Annotated[str, Query(max_length=1000, description="Words, \"phrases\".")],
           mode: Literal["stemmed", "exact"] = "stemmed",
           limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
    """The number of matching documents and one page of hits, best first; hits are
    marked ``[word]`` in each snippet."""
    found = store.search_page(q, mode=mode, limit=limit, offset=offset)
    return {"query": found.query, "mode": found.mode, "total": found.total,
            "offset": found.offset, "limit": found.limit,
            "hits": [{"id": h.text_id, "title": h.title, "url": h.url,
                      "published": h.published.isoformat() if h.published else None,
                      "snippet": h.snippet, "rank": h.rank} for h in found.hits]}


@router.get("/facets", summary="Counts by outlet, section, technique, detector and date")
def facets(store: StoreDep, filters: FiltersDep, period: Period = "month") -> dict[str, Any]:
    """Document counts within the filters given; the date facet is keyed by
    ``period`` (``day``, ISO ``week`` or ``month``), the name of its filter."""
    return {name: [{"value": f.value, "label": f.label, "count": f.count} for f in items]
            for name, items in corpus.facets(store, filters, period=period).items()}


@router.get("/techniques", summary="The 14 techniques")
def techniques() -> list[dict[str, Any]]:
    return [{"id": t.id, "name": t.name, "slug": t.slug, "display": t.display,
             "colour": t.colour, "definition": t.definition, "example": t.example}
            for t in TECHNIQUES]


@router.get("/export", summary="Export documents as CSV or JSON lines (streamed)")
def export(store: StoreDep, filters: FiltersDep,
           format: Literal["csv", "jsonl"] = "jsonl",
           q: Annotated[str | None, Query(max_length=1000)] = None,
           mode: Literal["stemmed", "exact"] = "stemmed") -> StreamingResponse:
    """Every document the filters (and the query ``q``, when given) keep: JSON lines
    with one document a line, or CSV with one row a span.  No row cap; provenance
    (detector, query, filters, time) in the ``X-Propscope-Provenance`` header."""
    items = selected(store, filters, q, mode)
    provenance = {"detector": filters.detector or "all", "query": q, "mode": mode if q else None,
                  "filters": filters.params(),
                  "exported": datetime.now(UTC).isoformat(timespec="seconds")}
    chunks = _csv(items) if format == "csv" else (write.jsonl_line(write.stored_record(i))
                                                  for i in items)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(chunks, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="propscope-export.{format}"',
        "X-Propscope-Provenance": json.dumps(provenance, ensure_ascii=True),
    })


def selected(store: Store, filters: Filters, q: str | None, mode: str) -> Iterator[StoredText]:
    """The stored texts an export takes, read lazily."""
    if q is not None:
        store.search_page(q, mode=mode, limit=0)  # a refused query fails before streaming
    if q is None and not filters.active():
        return store.iter_texts()
    return _by_id(store, _ids(store, filters, q, mode), filters.detector)


def _ids(store: Store, filters: Filters, q: str | None, mode: str) -> Iterator[int]:
    if q is None:
        yield from corpus.text_ids(store, filters)
        return
    keep = set(corpus.text_ids(store, filters)) if filters.active() else None
    offset = 0
    while True:
        found = store.search_page(q, mode=mode, limit=500, offset=offset)
        for hit in found.hits:
            if keep is None or hit.text_id in keep:
                yield hit.text_id
        offset += len(found.hits)
        if not found.hits or offset >= found.total:
            return


def _by_id(store: Store, ids: Iterator[int], detector: str | None) -> Iterator[StoredText]:
    for text_id in ids:
        item = store.get_text(text_id, detector=detector)
        if item is not None:
            yield item


def _csv(items: Iterator[StoredText], batch: int = 100) -> Iterator[str]:
    """CSV through :func:`propscope.present.export.write_csv`, a batch of documents at a
    time: the header once, then each batch's rows."""
    head = io.StringIO()
    write.write_csv([], head)
    header = head.getvalue()
    yield header
    chunk: list[StoredText] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= batch:
            yield _rows(chunk, len(header))
            chunk = []
    if chunk:
        yield _rows(chunk, len(header))


def _rows(items: list[StoredText], header: int) -> str:
    out = io.StringIO()
    write.write_csv(write.span_rows(AnalysedDocument(i.document, list(i.spans), "")
                                    for i in items), out)
    return out.getvalue()[header:]
