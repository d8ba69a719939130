"""Readers' feedback on spans: a detector's span marked right or wrong, or a span it
missed added with its technique; stored with who and when, shown on the document, and
exported in the SemEval span format so it can train the next model.

Why the checks live here and not in the store: a verdict is only worth keeping if it
is about something real, so a ``right``/``wrong`` must name a span the store holds
(same detector, offsets and technique) and a ``missing`` span must lie inside the
text.  The store takes what this module has checked, as it takes analysed documents.

Offsets index the stored (normalised) text, as every span's do; the export's article
ids are text ids, so ``propscope export --format semeval`` writes the article files
these offsets index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import jinja2
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from propscope.semeval.formats import Label, format_line
from propscope.store import Store, StoredText
from propscope.store.base import FeedbackRecord
from propscope.techniques import technique as find_technique
from propscope.web.deps import StoreDep, ensure_writable
from propscope.web.errors import BadRequest, NotFound
from propscope.web.render import templates
from propscope.web.security import check_csrf

VERDICTS = ("right", "wrong", "missing")
ANONYMOUS = "anonymous"
READER_MAX = 100
QUOTE_MAX = 5_000

api = APIRouter(tags=["feedback"])
pages = APIRouter(include_in_schema=False)


# -- checking and storing -----------------------------------------------------------
def reader_name(value: str | None) -> str:
    """The name a reader gave, as stored: one line, no controls, at most 100
    characters; ``anonymous`` when blank."""
    name = " ".join(_CONTROLS.sub(" ", value or "").split())[:READER_MAX]
    return name or ANONYMOUS


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def technique_name(value: str | None, *, required: bool) -> str | None:
    """A technique's PTC name from its name or slug; ``None`` allowed unless required."""
    if value is None or not value.strip():
        if required:
            raise BadRequest("a missing span needs its technique",
                             fix="give a technique's name or slug (see /api/v1/techniques)")
        return None
    try:
        return find_technique(value.strip()).name
    except KeyError:
        raise BadRequest(f"unknown technique {value.strip()[:100]!r}",
                         fix="give a technique's name or slug (see /api/v1/techniques)") from None


def locate(text: str, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """The offsets of the ``occurrence``-th appearance of ``quote`` in ``text`` (a
    reader names a missed passage by its words, not by counting characters)."""
    quote = quote.strip()
    if not quote:
        raise BadRequest("the passage is empty", fix="copy the missed words from the text")
    start = -1
    for _ in range(max(1, occurrence)):
        start = text.find(quote, start + 1)
        if start < 0:
            raise BadRequest("the passage is not in the document's text"
                             + (f" {occurrence} times" if occurrence > 1 else ""),
                             fix="copy the words exactly as the document shows them")
    return start, start + len(quote)


def record(store: Store, text_id: int, verdict: str, start: int, end: int, *,
           technique: str | None, detector: str | None, reader: str | None) -> FeedbackRecord:
    """Check one verdict against the stored text and its spans, then store it."""
    if verdict not in VERDICTS:
        raise BadRequest(f"unknown verdict {verdict[:20]!r}", fix="give right, wrong or missing")
    item = _text(store, text_id)
    if not 0 <= start < end <= len(item.document.text):
        raise BadRequest(f"the span [{start}, {end}) is empty or outside the text "
                         f"({len(item.document.text)} characters)",
                         fix="give offsets into the document's text, end after start")
    name = technique_name(technique, required=verdict == "missing")
    if verdict == "missing":
        detector = None
    elif not any(s.detector == detector and s.start == start and s.end == end
                 and s.technique == name for s in item.spans):
        raise BadRequest(f"document {text_id} has no span [{start}, {end}) of "
                         f"{name or 'no technique'} by {(detector or '?')[:200]!r}",
                         fix="mark a span the document shows, or add it as missing")
    return store.add_feedback(text_id, verdict, start, end, technique=name,
                              detector=detector, reader=reader_name(reader))


def _text(store: Store, text_id: int) -> StoredText:
    item = store.get_text(text_id)
    if item is None:
        raise NotFound(f"no document {text_id}", fix="list them at /api/v1/documents")
    return item


def _writable(request: Request) -> None:
    ensure_writable(request, "feedback cannot be saved")


# -- export -----------------------------------------------------------------------------
def verdicts(store: Store) -> Iterator[FeedbackRecord]:
    """Every feedback row, oldest first, read a page at a time."""
    after = 0
    while rows := store.feedback(after_id=after, limit=500):
        yield from rows
        after = rows[-1].id


def labels(store: Store, keep: str = "accepted") -> list[Label]:
    """The spans feedback settles, the latest verdict on each span deciding: for
    ``accepted``, spans marked right or added as missing; for ``rejected``, spans
    marked wrong.  Sorted by document and offset."""
    latest: dict[tuple[int, int, int, str | None], str] = {}
    for row in verdicts(store):
        latest[(row.text_id, row.start, row.end, row.technique)] = row.verdict
    wanted = {"accepted": {"right", "missing"}, "rejected": {"wrong"}}[keep]
    return sorted(Label(str(text_id), start, end, name)
                  for (text_id, start, end, name), verdict in latest.items()
                  if verdict in wanted)


def semeval_lines(found: list[Label], shape: str) -> Iterator[str]:
    """``ID TECHNIQUE START END`` lines (``tc``; spans without a technique left out) or
    ``ID START END`` (``si``), TAB-separated, as :mod:`propscope.semeval.formats` reads."""
    ordered = sorted(found, key=lambda x: (int(x.article_id), x.start, x.end, x.technique or ""))
    for label in ordered:
        if shape == "tc" and label.technique is None:
            continue
        yield format_line(label, with_technique=shape == "tc") + "\n"


# -- the API ----------------------------------------------------------------------------
class FeedbackIn(BaseModel):
    """A verdict on a span: give ``start`` and ``end``, or the passage as ``quote``
    (its ``occurrence``-th appearance, default the first)."""

    text_id: int = Field(ge=1, le=2**62, description="The document.")
    verdict: Literal["right", "wrong", "missing"]
    start: int | None = Field(default=None, ge=0, le=2**31)
    end: int | None = Field(default=None, ge=1, le=2**31)
    quote: str | None = Field(default=None, max_length=QUOTE_MAX)
    occurrence: int = Field(default=1, ge=1, le=10_000)
    technique: str | None = Field(default=None, max_length=100,
                                  description="Name or slug; required for missing.")
    detector: str | None = Field(default=None, max_length=200,
                                 description="The detector whose span is judged.")
    reader: str | None = Field(default=None, max_length=1000,
                               description="Who says so (default anonymous).")


def _from_body(store: Store, body: FeedbackIn) -> FeedbackRecord:
    if body.quote is not None and (body.start is None and body.end is None):
        start, end = locate(_text(store, body.text_id).document.text, body.quote,
                            body.occurrence)
    elif body.start is not None and body.end is not None and body.quote is None:
        start, end = body.start, body.end
    else:
        raise BadRequest("give start and end, or quote", fix="see /api for the body")
    return record(store, body.text_id, body.verdict, start, end, technique=body.technique,
                  detector=body.detector, reader=body.reader)


@api.post("/feedback", summary="Mark a span right or wrong, or add a missing one",
          status_code=201)
async def post_feedback(body: FeedbackIn, request: Request, store: StoreDep) -> JSONResponse:
    """Stored with the reader's name (or ``anonymous``) and the time; refused on a
    read-only server."""
    _writable(request)
    saved = await run_in_threadpool(_from_body, store, body)
    return JSONResponse(saved.to_dict(), status_code=201)


@api.get("/feedback", summary="Feedback, oldest first")
def get_feedback(store: StoreDep,
                 text_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
                 after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Of one document (``text_id``) or of all; page on with ``after_id``."""
    rows = store.feedback(text_id, after_id=after_id, limit=limit)
    return {"feedback": [r.to_dict() for r in rows],
            "next_after_id": rows[-1].id if len(rows) == limit else None}


@api.get("/feedback/export", summary="Feedback as SemEval span labels")
def export_feedback(store: StoreDep, shape: Literal["tc", "si"] = "tc",
                    verdict: Literal["accepted", "rejected"] = "accepted") -> StreamingResponse:
    """``ID TECHNIQUE START END`` a line (``shape=si``: ``ID START END``), ID the
    document's id, offsets into its text; the latest verdict on a span decides."""
    found = labels(store, verdict)
    return StreamingResponse(semeval_lines(found, shape), media_type="text/plain; charset=utf-8",
                             headers={"Content-Disposition":
                                      f'attachment; filename="feedback-{verdict}.labels"'})


# -- the document page ------------------------------------------------------------------
@pages.post("/documents/{text_id}/feedback")
async def post_page_feedback(
    request: Request, store: StoreDep,
    text_id: Annotated[int, Path(ge=1, le=2**62)],
    csrf: Annotated[str, Form()] = "",
    reader: Annotated[str, Form(max_length=1000)] = "",
    mark: Annotated[str, Form(max_length=200)] = "",
    detector: Annotated[str, Form(max_length=200)] = "",
    quote: Annotated[str, Form(max_length=QUOTE_MAX)] = "",
    occurrence: Annotated[int, Form(ge=1, le=10_000)] = 1,
    technique: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """One verdict from the document page: ``mark`` is ``verdict|start|end|technique``
    of a shown span, or, without it, ``quote`` and ``technique`` add a missing span."""
    _writable(request)
    check_csrf(request, csrf)
    if mark:
        verdict, start, end, name = _parse_mark(mark)
        await run_in_threadpool(record, store, text_id, verdict, start, end, technique=name,
                                detector=detector or None, reader=reader)
    else:
        def missing() -> FeedbackRecord:
            start, end = locate(_text(store, text_id).document.text, quote, occurrence)
            return record(store, text_id, "missing", start, end, technique=technique,
                          detector=None, reader=reader)
        await run_in_threadpool(missing)
    back = f"/documents/{text_id}" + (f"?detector={_q(detector)}" if detector else "")
    return RedirectResponse(back + "#feedback", status_code=303)


def _q(value: str) -> str:
    from urllib.parse import quote as quoted

    return quoted(value, safe="")


def _parse_mark(mark: str) -> tuple[str, int, int, str | None]:
    parts = mark.split("|")
    if len(parts) != 4 or parts[0] not in ("right", "wrong"):
        raise BadRequest("the form's span mark is malformed", fix="reload the page")
    try:
        return parts[0], int(parts[1]), int(parts[2]), parts[3] or None
    except ValueError:
        raise BadRequest("the form's span mark is malformed", fix="reload the page") from None


def shown(store: Store, text_id: int) -> list[dict[str, Any]]:
    """A document's feedback as its page lists it, with the passage each names."""
    item = store.get_text(text_id)
    if item is None:
        return []
    text = item.document.text
    return [{**r.to_dict(), "passage": text[r.start:r.end],
             "display": find_technique(r.technique).display if r.technique else None}
            for r in store.feedback(text_id, limit=500)]


def _feedback_for(context: Any, text_id: int) -> list[dict[str, Any]]:
    """For templates: the feedback of ``text_id``, read through the page's request."""
    request = context["request"]
    return shown(request.app.state.store, text_id)


# The document page includes _feedback.html, which lists through this global, so the
# page's route stays as it is.
templates.env.globals["feedback_for"] = jinja2.pass_context(_feedback_for)

__all__ = ["VERDICTS", "api", "labels", "locate", "pages", "reader_name", "record",
           "semeval_lines"]
