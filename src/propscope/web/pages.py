"""The workbench's pages: home (paste, upload, URL), analysis results, search, the
corpus with facets, a document, a technique, and the API's endpoint list."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from propscope.errors import UsageError
from propscope.model import AnalysedDocument
from propscope.present import html as report
from propscope.store import Store
from propscope.techniques import TECHNIQUES, technique
from propscope.text.segment import sentences
from propscope.web import analysis, corpus
from propscope.web.deps import FiltersDep, Period, StoreDep, ensure_writable
from propscope.web.errors import NotFound
from propscope.web.render import highlighted, page, snippet_html
from propscope.web.security import check_csrf
from propscope.web.timeseries import PERIODS

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20


@router.get("/")
def home(request: Request, store: StoreDep) -> Response:
    stats = store.stats()
    return page(request, "home.html", {"stats": stats,
                                       "db": shown_db(request.app.state.settings.db)})


def shown_db(db: str) -> str:
    """The database as a page may show it: a URL's password replaced by ``***``."""
    parts = urlsplit(db)
    if parts.password is None:
        return db
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@router.post("/analyze")
async def analyze(
    request: Request,
    text: Annotated[str, Form()] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Analyse the form's text, file or URL (the first one given) and show it."""
    settings = request.app.state.settings
    limits = settings.limits
    gate = request.app.state.gate
    if file is not None and file.filename:
        data = await file.read(limits.max_bytes + 1)
        result = await run_in_threadpool(gate.run, analysis.analyse_upload, file.filename,
                                         data, settings.detector, limits)
    elif url.strip():
        result = await run_in_threadpool(gate.run, analysis.analyse_url, url,
                                         settings.detector, limits)
    elif text.strip():
        result = await run_in_threadpool(gate.run, analysis.analyse_text, text,
                                         settings.detector, limits)
    else:
        raise UsageError("give a text, a file or a URL to analyse")
    return page(request, "result.html", {"result": result, "view": highlighted(result),
                                         "saved_id": None})


@router.post("/save")
async def save(
    request: Request,
    text: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Store the text the reader saw (already extracted and normalised: it is not
    read as a page again) with its analysis, made again here."""
    settings = request.app.state.settings
    ensure_writable(request)
    check_csrf(request, csrf)
    result = await run_in_threadpool(request.app.state.gate.run, analysis.analyse_shown,
                                     text, title, url, settings.detector, settings.limits)
    text_id = await run_in_threadpool(analysis.save, request.app.state.store, result)
    return RedirectResponse(f"/documents/{text_id}", status_code=303)


@router.get("/search")
def search(request: Request, store: StoreDep,
           q: Annotated[str, Query(max_length=1000)] = "",
           mode: Literal["stemmed", "exact"] = "stemmed",
           page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1) -> Response:
    found = None
    if q.strip():
        found = store.search_page(q, mode=mode, limit=PAGE_SIZE,
                                  offset=(page_no - 1) * PAGE_SIZE)
    snippets = [snippet_html(h.snippet) for h in found.hits] if found else []
    return page(request, "search.html", {
        "q": q, "mode": mode, "found": found, "snippets": snippets,
        "pager": _pager(found.total if found else 0, page_no, {"q": q, "mode": mode}),
        "export": urlencode({"q": q, "mode": mode}) if q.strip() else None,
    })


@router.get("/documents")
def documents(request: Request, store: StoreDep, filters: FiltersDep,
              page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
              period: Period = "month") -> Response:
    found = corpus.list_documents(store, filters, limit=PAGE_SIZE,
                                  offset=(page_no - 1) * PAGE_SIZE)
    params = filters.params()
    chosen = dict(params)
    if filters.technique:
        chosen["technique"] = technique(filters.technique).display
    kept = {**params, "period": period} if period != "month" else params  # for links
    return page(request, "documents.html", {
        "chosen": chosen, "period": period, "periods": PERIODS,
        "found": found, "facets": corpus.facets(store, filters, period=period),
        "filters": params,
        "facet_link": lambda name, value: "?" + urlencode({**kept, name: value}),
        "drop_link": lambda name: "?" + urlencode(
            {k: v for k, v in kept.items() if k != name}),
        "period_link": lambda name: "?" + urlencode({**params, "period": name}),
        "pager": _pager(found.total, page_no, kept),
        "export": urlencode(params),
    })


@router.get("/documents/{text_id}")
def document(request: Request, store: StoreDep,
             text_id: Annotated[int, Path(ge=1, le=2**62)],
             detector: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    item = store.get_text(text_id)
    if item is None:
        raise NotFound(f"no document {text_id}", fix="find one through search or the list")
    used = sorted(item.scores)  # the detectors that analysed this text
    chosen = _chosen(store, used, detector)
    spans = [s for s in item.spans if s.detector == chosen]
    result = AnalysedDocument(item.document, spans, chosen or "",
                              score=item.scores.get(chosen or "", 0.0),
                              sentences=sentences(item.document.text))
    near = []
    for other, jaccard in store.near_duplicates(text_id):
        found = store.get_text(other)
        near.append((other, jaccard, found.document.title if found else None))
    return page(request, "document.html", {
        "item": item, "result": result, "view": highlighted(result), "detectors": used,
        "detector": chosen, "near": near, "shared": corpus.shared_passages(store, text_id),
        "db": shown_db(request.app.state.settings.db),
    })


def _chosen(store: Store, used: list[str], asked: str | None) -> str | None:
    """The detector whose spans a document page shows: the one asked for, else the
    most recently used one that analysed this text."""
    if asked:
        if asked not in used:
            raise NotFound(f"this document was not analysed by {asked!r}",
                           fix=f"analysed by: {', '.join(used) or 'none'}")
        return asked
    for name in store.detectors():
        if name in used:
            return name
    return None


@router.get("/assets/report.js")
def report_script() -> Response:
    """The HTML report's tooltip script (hover and focus), served as a file so the
    pages need no inline script: one tooltip for the report and the workbench."""
    return Response(report._SCRIPT, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600"})


@router.get("/techniques")
def techniques(request: Request) -> Response:
    return page(request, "techniques.html", {})


@router.get("/techniques/{slug}")
def technique_page(request: Request, store: StoreDep,
                   slug: Annotated[str, Path(max_length=100)],
                   detector: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    try:
        found = technique(slug)
    except KeyError:
        raise NotFound(f"no technique {slug!r}", fix="see /techniques") from None
    examples = corpus.strongest(store, found.name, detector=corpus.detector_param(detector))
    return page(request, "technique.html", {"technique": found, "examples": examples})


@router.get("/api")
def api_page(request: Request) -> Response:
    """The API's endpoints from its OpenAPI description, drawn here (offline)."""
    schema = request.app.openapi()
    endpoints: list[dict[str, Any]] = []
    for path, methods in schema.get("paths", {}).items():
        for method, spec in methods.items():
            endpoints.append({
                "method": method.upper(), "path": path, "summary": spec.get("summary", ""),
                "description": spec.get("description", ""),
                "params": [p["name"] for p in spec.get("parameters", [])]
                + (["JSON body"] if "requestBody" in spec else []),
            })
    return page(request, "api.html", {"endpoints": endpoints,
                                      "openapi": request.app.openapi_url})


def _pager(total: int, page_no: int, params: dict[str, str]) -> dict[str, Any]:
    last = max(1, -(-total // PAGE_SIZE))
    def link(n: int) -> str:
        return "?" + urlencode({**params, "page": n})
    return {
        "first": (page_no - 1) * PAGE_SIZE + 1 if total else 0,
        "last_item": min(total, page_no * PAGE_SIZE), "total": total, "page": page_no,
        "pages": last,
        "prev": link(page_no - 1) if page_no > 1 else None,
        "next": link(page_no + 1) if page_no < last else None,
    }


__all__ = ["TECHNIQUES", "router"]
