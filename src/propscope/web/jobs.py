"""Long jobs in the background: ingest pages, feeds or an uploaded archive, or analyse
what the store holds, with progress a page (and the API) can poll.

Why one worker per store: ingest and analysis are write-heavy and the store has one
writer; two jobs at once would only wait on each other's transactions.  So jobs run
one at a time, in order, on a thread of their own, and at most :data:`MAX_WAITING`
more wait (past that, 429 with Retry-After, as for analyses).  Reading pages never
waits behind a job: every batch is its own short transaction.

Sources go through the library's one input routing, :func:`propscope.ingest.read_inputs`,
so a URL is fetched under ingest's rules (http(s) only, no private, loopback or
link-local address, robots.txt, size and time caps).  A source given to the API must
be an http(s) URL: the server never reads a path a client names; a file comes in as an
upload, written under a name of the server's choosing and removed after its job.

Jobs live in the server's memory (the store's ``runs`` table keeps each run's counts
and errors for good): a restarted server starts with an empty job list.
"""

from __future__ import annotations

import itertools
import re
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from propscope.batch import analyze_store, ingest_documents
from propscope.detect.base import Detector, DetectorRef, available_detectors
from propscope.errors import DetectorError, FetchError, FormatError, InputTooLarge, PropscopeError
from propscope.ingest import IngestOptions, read_inputs
from propscope.ingest.inputs import url_of
from propscope.store import Store
from propscope.web.deps import ensure_writable
from propscope.web.errors import BadRequest, Busy, NotFound
from propscope.web.render import page
from propscope.web.security import check_csrf

MAX_WAITING = 16
"""Jobs that may wait behind the running one; more are refused with 429."""
MAX_SOURCES = 100
MAX_KEPT = 200
"""Finished jobs remembered (the oldest are forgotten first)."""
UPLOAD_SUFFIXES = (".warc", ".warc.gz", ".jsonl", ".csv")
UPLOAD_MAX = 50_000_000
"""Bytes of one upload; the server's request cap (``Settings.max_body``) applies first."""

_CONTROLS = re.compile("[\x00-\x1f\x7f]")

api = APIRouter(tags=["jobs"])
pages = APIRouter(include_in_schema=False)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class Job:
    """One job and what is known of it so far.  ``state`` goes queued → running →
    done or failed; ``done``/``total`` count items (``total`` is ``None`` while an
    ingest does not know it yet)."""

    id: int
    kind: str
    sources: list[str]
    detector: str | None
    state: str = "queued"
    created: str = field(default_factory=_now)
    started: str | None = None
    finished: str | None = None
    done: int = 0
    total: int | None = None
    report: dict[str, Any] | None = None
    error: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "sources": list(self.sources),
                "detector": self.detector, "state": self.state, "created": self.created,
                "started": self.started, "finished": self.finished,
                "progress": {"done": self.done, "total": self.total},
                "report": self.report, "error": self.error}


Work = Callable[[Job], dict[str, Any]]


class JobQueue:
    """The jobs of one store: one runs, the others wait their turn."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._jobs: dict[int, Job] = {}
        self._waiting: deque[tuple[Job, Work, Callable[[], None]]] = deque()
        self._ids = itertools.count(1)
        self._worker: threading.Thread | None = None

    def submit(self, kind: str, sources: list[str], detector: str | None, work: Work,
               cleanup: Callable[[], None] = lambda: None) -> Job:
        with self._lock:
            if len(self._waiting) >= MAX_WAITING:
                cleanup()
                raise Busy(f"{MAX_WAITING} jobs are already waiting for this store")
            job = Job(next(self._ids), kind, sources, detector)
            self._jobs[job.id] = job
            self._waiting.append((job, work, cleanup))
            self._forget_old()
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="propscope-jobs",
                                                daemon=True)
                self._worker.start()
        return job

    def get(self, job_id: int) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id}", fix="list them at /api/v1/jobs")
        return job

    def all(self) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: -j.id)

    def _forget_old(self) -> None:
        ended = [j.id for j in self._jobs.values() if j.state in ("done", "failed")]
        for job_id in sorted(ended)[:max(0, len(self._jobs) - MAX_KEPT)]:
            del self._jobs[job_id]

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._waiting:
                    self._worker = None
                    return
                job, work, cleanup = self._waiting.popleft()
                job.state, job.started = "running", _now()
            try:
                job.report = work(job)
                job.state = "done"
            except PropscopeError as err:
                job.error = {"code": err.code, "message": err.message, "fix": err.fix}
                job.state = "failed"
            except Exception as err:  # a bug: logged with its traceback, never shown
                import logging

                logging.getLogger("propscope.web").error("job %s failed", job.id, exc_info=err)
                job.error = {"code": "PS000", "message": "internal error: the server log "
                             "has the details", "fix": "please report it"}
                job.state = "failed"
            finally:
                job.finished = _now()
                cleanup()


def queue_of(request: Request) -> JobQueue:
    """The app's job queue, made on first use (one per app, so one per store)."""
    state = request.app.state
    with _MAKE:
        if getattr(state, "jobs", None) is None:
            state.jobs = JobQueue(state.store)
        return state.jobs  # type: ignore[no-any-return]


_MAKE = threading.Lock()


# -- what a job does ---------------------------------------------------------------------
def _progress(job: Job) -> Callable[[int, int | None], None]:
    def update(done: int, total: int | None) -> None:
        job.done, job.total = done, total
    return update


def ingest_work(store: Store, specs: list[str], max_bytes: int,
                renamed: tuple[str, str] | None = None) -> Work:
    """Ingest ``specs``; ``renamed`` (server path, client name) shows an upload's item
    errors under the name the client gave, not the server's temporary path."""
    def work(job: Job) -> dict[str, Any]:
        items = read_inputs(specs, IngestOptions(max_bytes=max_bytes))
        report = ingest_documents(store, items, progress=_progress(job)).to_dict()
        if renamed is not None:
            for error in report["errors"]:
                for key in ("source", "item", "message"):
                    error[key] = str(error.get(key, "")).replace(*renamed)
        return report
    return work


def analyze_work(store: Store, detector: str | Detector) -> Work:
    def work(job: Job) -> dict[str, Any]:
        return analyze_store(store, detector, progress=_progress(job)).to_dict()
    return work


def checked_sources(sources: list[str]) -> list[str]:
    """The sources an API client may name: http(s) URLs only, never a path."""
    if not sources:
        raise BadRequest("an ingest job needs one or more sources",
                         fix="give http(s) URLs of pages, feeds or sitemaps, or upload a file")
    if len(sources) > MAX_SOURCES:
        raise BadRequest(f"at most {MAX_SOURCES} sources a job", fix="split them over jobs")
    found = []
    for spec in sources:
        if _CONTROLS.search(spec):
            raise BadRequest("a source holds a control character",
                             fix="give each URL on its own, as the browser shows it")
        try:
            url = url_of(spec) if spec.strip() else None
        except FetchError as err:  # another scheme: the client's mistake, not a fetch's
            raise BadRequest(err.message, fix="give http(s) URLs, or upload the file") from err
        if url is None:
            raise BadRequest(f"{spec[:200]!r} is not an http(s) URL; this server reads no "
                             "path a client names", fix="upload the file instead")
        found.append(url)
    return found


def _writable(request: Request) -> None:
    ensure_writable(request, "it runs no jobs")


def _detector(request: Request, asked: str | None) -> tuple[str | Detector, str | None]:
    """The detector an analyze job runs: the one asked for (checked now, so a typo is a
    400 at once, not a failed job later), else the server's."""
    default = request.app.state.settings.detector
    if asked:
        try:
            ref = DetectorRef.parse(asked)
        except DetectorError as err:
            raise BadRequest(err.message[:300], fix=err.fix) from err
        if ref.name not in available_detectors():
            raise BadRequest(f"unknown detector {ref.name!r}",
                             fix=f"choose one of: {', '.join(available_detectors())}")
        return asked, asked
    return default, default if isinstance(default, str) else None


def start(request: Request, kind: str, sources: list[str], detector: str | None) -> Job:
    """Queue an ingest of ``sources`` (URLs) or an analysis of the store."""
    _writable(request)
    store, settings = request.app.state.store, request.app.state.settings
    if kind == "ingest":
        specs = checked_sources(sources)
        return queue_of(request).submit(
            "ingest", specs, None, ingest_work(store, specs, settings.limits.max_bytes))
    if sources:
        raise BadRequest("an analyze job takes no sources", fix="leave sources out")
    chosen, shown = _detector(request, detector)
    return queue_of(request).submit("analyze", [], shown, analyze_work(store, chosen))


async def start_upload(request: Request, upload: UploadFile) -> Job:
    """Queue an ingest of an uploaded .warc/.jsonl/.csv file (size-capped)."""
    _writable(request)
    name = FilePath(upload.filename or "").name
    suffix = next((s for s in UPLOAD_SUFFIXES if name.lower().endswith(s)), None)
    if suffix is None:
        raise FormatError(f"cannot ingest an upload named {name[:200]!r}",
                          fix=f"upload a {', '.join(UPLOAD_SUFFIXES)} file")
    folder = FilePath(tempfile.mkdtemp(prefix="propscope-job-"))
    path = folder / f"upload{suffix}"  # the client's name never reaches the disk
    try:
        size = 0
        with path.open("wb") as out:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > UPLOAD_MAX:
                    raise InputTooLarge(f"the upload is over {UPLOAD_MAX} bytes",
                                        fix="split it, or ingest it with propscope ingest")
                out.write(chunk)
        if size == 0:
            raise BadRequest("the upload is empty", fix="choose a file with documents in it")
        store, settings = request.app.state.store, request.app.state.settings
        max_bytes = max(settings.limits.max_bytes, size)
        return queue_of(request).submit(
            "ingest", [name], None,
            ingest_work(store, [str(path)], max_bytes, renamed=(str(path), name)),
            cleanup=lambda: shutil.rmtree(folder, ignore_errors=True))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


# -- the API -----------------------------------------------------------------------------
class JobIn(BaseModel):
    """``ingest`` http(s) ``sources`` (pages, feeds, sitemaps), or ``analyze`` the store's
    texts not yet analysed by ``detector`` (default: the server's)."""

    kind: Literal["ingest", "analyze"]
    sources: list[Annotated[str, Field(max_length=2000)]] = Field(default_factory=list,
                                                                  max_length=MAX_SOURCES)
    detector: str | None = Field(default=None, max_length=200)


def _accepted(job: Job) -> JSONResponse:
    return JSONResponse(job.to_dict(), status_code=202,
                        headers={"Location": f"/api/v1/jobs/{job.id}"})


@api.post("/jobs", summary="Start an ingest or analysis job", status_code=202)
def post_job(body: JobIn, request: Request) -> JSONResponse:
    """Queued, then run in the background, one job at a time per store; poll
    ``/api/v1/jobs/{id}`` (the ``Location`` header) for its progress."""
    return _accepted(start(request, body.kind, body.sources, body.detector))


@api.post("/jobs/upload", summary="Ingest an uploaded .warc, .jsonl or .csv file",
          status_code=202)
async def post_upload(request: Request,
                      file: Annotated[UploadFile, File(description="The file.")]) -> JSONResponse:
    return _accepted(await start_upload(request, file))


@api.get("/jobs", summary="Jobs, newest first")
def list_jobs(request: Request) -> dict[str, Any]:
    return {"jobs": [j.to_dict() for j in queue_of(request).all()]}


@api.get("/jobs/{job_id}", summary="One job's state and progress")
def get_job(request: Request, job_id: Annotated[int, Path(ge=1, le=2**62)]) -> dict[str, Any]:
    return queue_of(request).get(job_id).to_dict()


# -- pages -------------------------------------------------------------------------------
@pages.get("/jobs")
def jobs_page(request: Request) -> Response:
    return page(request, "jobs.html", {"jobs": queue_of(request).all(),
                                       "suffixes": UPLOAD_SUFFIXES})


@pages.post("/jobs")
async def jobs_form(
    request: Request,
    csrf: Annotated[str, Form()] = "",
    kind: Annotated[Literal["ingest", "analyze"], Form()] = "ingest",
    sources: Annotated[str, Form(max_length=200_000)] = "",
    detector: Annotated[str, Form(max_length=200)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The jobs page's form: URLs one a line, a file, or "analyse the store"."""
    _writable(request)
    check_csrf(request, csrf)
    if kind == "ingest" and file is not None and file.filename:
        job = await start_upload(request, file)
    else:
        job = start(request, kind, [s.strip() for s in sources.splitlines() if s.strip()],
                    detector.strip() or None)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@pages.get("/jobs/{job_id}")
def job_page(request: Request, job_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    return page(request, "job.html", {"job": queue_of(request).get(job_id)})


__all__ = ["MAX_WAITING", "UPLOAD_SUFFIXES", "Job", "JobQueue", "api", "checked_sources",
           "pages", "queue_of"]
