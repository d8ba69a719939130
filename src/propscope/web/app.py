"""The workbench application: :func:`create_app` builds it over one store.

Thin over the library (DESIGN.md, "Web"): routes parse parameters and call the same
functions as the CLI; this module owns only HTTP concerns: the store's lifetime, the
settings, the security middleware, and turning errors into statuses (JSON under
``/api``, a page elsewhere).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from propscope.detect.base import Detector
from propscope.errors import PropscopeError
from propscope.store import Store, open_store
from propscope.web.access import require_token
from propscope.web.analysis import Gate, Limits
from propscope.web.deps import refuse_nul
from propscope.web.errors import INTERNAL, BadRequest, Busy, NotFound, error_body
from propscope.web.security import Hardening

log = logging.getLogger("propscope.web")

API_PREFIX = "/api/v1"


@dataclass(slots=True)
class Settings:
    """What ``propscope serve`` was told: the database, whether it may be written,
    the detector analyses use, and the size limits."""

    db: str
    read_only: bool = False
    host: str = "127.0.0.1"  # beyond loopback, writes need a token (web.access)
    detector: str | Detector = "default"
    limits: Limits = field(default_factory=Limits)
    max_body: int = 4_000_000
    analysis_workers: int = 2
    analysis_queue: int = 8


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The application over ``settings.db`` (or an already open ``store``, which the
    caller keeps and closes)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if store is None:
            app.state.store.close()

    from propscope import __version__

    app = FastAPI(
        title="propscope",
        version=__version__,
        summary="Propaganda techniques in news and state media, span by span.",
        docs_url=None,  # Swagger UI comes from a CDN; /api shows the endpoints offline
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
        lifespan=lifespan,
        dependencies=[Depends(refuse_nul), Depends(require_token)],
    )
    app.state.settings = settings
    app.state.store = store or open_store(settings.db, create=not settings.read_only)
    app.state.gate = Gate(settings.analysis_workers, settings.analysis_queue)
    app.add_middleware(Hardening, max_body=settings.max_body)
    static = resources.files("propscope.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    from propscope.web import api, pages

    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(pages.router)
    from propscope.web import feedback
    app.include_router(feedback.api, prefix=API_PREFIX)
    app.include_router(feedback.pages)
    from propscope.web import jobs
    app.include_router(jobs.api, prefix=API_PREFIX)
    app.include_router(jobs.pages)
    from propscope.web import access
    app.include_router(access.pages)
    from propscope.web import follow  # compare and follow: trends, outlets, comparisons
    app.include_router(follow.api, prefix=API_PREFIX)
    app.include_router(follow.pages)
    from propscope.web import intelligence  # corpus intelligence over propscope.analytics
    app.include_router(intelligence.api, prefix=API_PREFIX)
    app.include_router(intelligence.pages)
    _handle_errors(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, body: dict[str, Any]) -> Response:
    if _wants_json(request):
        return JSONResponse(body, status_code=status)
    from propscope.web.render import page

    return page(request, "error.html", {"status": status, "error": body}, status=status)


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(PropscopeError)
    async def propscope_error(request: Request, err: PropscopeError) -> Response:
        status, body = error_body(err)
        response = _error(request, status, body)
        if isinstance(err, Busy):
            response.headers["Retry-After"] = str(err.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> Response:
        # Name the parameters and what is wrong, never echo the values sent.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'body'}: "
            f"{e.get('msg', 'invalid')}"
            for e in err.errors()[:5]
        )
        status, body = error_body(BadRequest(f"invalid request: {problems}",
                                             fix="see /api for the parameters"))
        return _error(request, status, body)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> Response:
        if err.status_code == 404:
            status, body = error_body(NotFound(f"nothing at {request.url.path}",
                                               fix="see / or /api"))
        else:
            status, body = err.status_code, {"code": f"PS{err.status_code}",
                                             "message": str(err.detail), "fix": ""}
        response = _error(request, status, body)
        for name, value in (err.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def bug(request: Request, err: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=err)
        return JSONResponse(INTERNAL, status_code=500) if _wants_json(request) else _error(
            request, 500, INTERNAL)
