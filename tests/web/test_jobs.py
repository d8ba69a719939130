"""Background jobs over SQLite and PostgreSQL: an uploaded JSON-lines file ingested, the
store analysed, progress and the run's counts through /api/v1/jobs/{id} and the job
page; one job at a time per store, a full queue refused with 429; sources a client may
not name (paths, other schemes) refused, a private address refused by ingest's rules
inside the job; a read-only server runs none."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from propscope.errors import InputTooLarge
from propscope.store import Store
from propscope.web import jobs
from tests.web.conftest import client_for

STORY = ("The imperialist warmongers staged a heinous provocation near the border, "
         "reports said on {day}; workers pledged to fulfil the plan ahead of schedule.")


def _jsonl(n: int, first: int = 1) -> bytes:
    return "".join(json.dumps({"text": STORY.format(day=f"day {i}"), "title": f"Up {i}",
                               "url": f"https://up.example/{i}", "outlet": "Upload"}) + "\n"
                   for i in range(first, first + n)).encode()


def _wait(client: TestClient, job_id: int, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_an_upload_is_ingested_then_the_store_analysed(client: TestClient,
                                                       filled: Store) -> None:
    before = filled.stats().texts
    r = client.post("/api/v1/jobs/upload", files={"file": ("news.jsonl", _jsonl(3) + b"{bad\n",
                                                            "application/x-ndjson")})
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/api/v1/jobs/{r.json()['id']}"
    job = _wait(client, r.json()["id"])
    assert job["state"] == "done" and job["kind"] == "ingest" and job["sources"] == ["news.jsonl"]
    assert job["report"]["counts"]["texts_added"] == 3 and job["report"]["counts"]["errors"] == 1
    assert job["progress"] == {"done": 3, "total": 3}
    assert [e["item"] for e in job["report"]["errors"]] == ["news.jsonl:4"]
    assert "propscope-job-" not in json.dumps(job)  # the server's temporary path
    assert filled.stats().texts == before + 3
    r = client.post("/api/v1/jobs", json={"kind": "analyze"})
    assert r.status_code == 202
    job = _wait(client, r.json()["id"])
    assert job["state"] == "done" and job["detector"] is None
    assert job["report"]["counts"]["analysed"] == 3 and job["progress"]["total"] == 3
    assert filled.count_pending("lexicon-test.v1") == 0
    listed = client.get("/api/v1/jobs").json()["jobs"]
    assert [j["kind"] for j in listed] == ["analyze", "ingest"]


def test_sources_are_urls_under_ingests_rules(client: TestClient, filled: Store) -> None:
    for sources in (["/etc/passwd"], ["../propscope.db"], ["file:///etc/passwd"],
                    ["http://x.example/\x00"], ["http://x.example/\nhttp://y.example/"],
                    ["ftp://example.org/x"], [], [" "], ["http://x.example/"] * 101):
        r = client.post("/api/v1/jobs", json={"kind": "ingest", "sources": sources})
        assert r.status_code == 400, (sources, r.text)
        assert set(r.json()) == {"code", "message", "fix"}
    assert client.post("/api/v1/jobs", json={"kind": "analyze",
                                             "sources": ["http://x.example/"]}).status_code == 400
    assert client.post("/api/v1/jobs", json={"kind": "delete"}).status_code == 400
    # A private address is accepted as a URL, then refused by ingest's fetcher in the job.
    r = client.post("/api/v1/jobs", json={"kind": "ingest", "sources": ["http://10.0.0.1/x"]})
    job = _wait(client, r.json()["id"])
    assert job["state"] == "done" and job["report"]["counts"]["texts_added"] == 0
    assert [e["code"] for e in job["report"]["errors"]] == ["PS502"]
    assert client.get("/api/v1/jobs/999").status_code == 404


def test_uploads_are_checked_by_name_size_and_content(client: TestClient,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    r = client.post("/api/v1/jobs/upload", files={"file": ("x.exe", b"MZ", "application/x")})
    assert r.status_code == 400 and r.json()["code"] == "PS106"
    r = client.post("/api/v1/jobs/upload", files={"file": ("e.csv", b"", "text/csv")})
    assert r.status_code == 400
    monkeypatch.setattr(jobs, "UPLOAD_MAX", 100)
    r = client.post("/api/v1/jobs/upload", files={"file": ("big.jsonl", _jsonl(3), "x")})
    assert r.status_code == 413 and r.json()["code"] == "PS104"
    assert client.get("/api/v1/jobs").json()["jobs"] == []


def test_one_job_at_a_time_and_a_full_queue_is_refused(client: TestClient,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    running: list[int] = []
    seen: list[int] = []

    def slow(store: Store, detector: object) -> Any:
        def work(job: jobs.Job) -> dict[str, Any]:
            running.append(job.id)
            seen.append(len(running))
            release.wait(30)
            running.remove(job.id)
            return {"counts": {}}
        return work

    monkeypatch.setattr(jobs, "analyze_work", slow)
    monkeypatch.setattr(jobs, "MAX_WAITING", 2)
    first = client.post("/api/v1/jobs", json={"kind": "analyze"}).json()["id"]
    deadline = time.monotonic() + 10
    while client.get(f"/api/v1/jobs/{first}").json()["state"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    waiting = [client.post("/api/v1/jobs", json={"kind": "analyze"}) for _ in range(2)]
    assert all(r.status_code == 202 and r.json()["state"] == "queued" for r in waiting)
    full = client.post("/api/v1/jobs", json={"kind": "analyze"})
    assert full.status_code == 429 and full.headers["retry-after"] and \
        full.json()["code"] == "PS429"
    assert client.get("/api/v1/documents").status_code == 200  # reading does not wait
    release.set()
    for job_id in (first, *(r.json()["id"] for r in waiting)):
        assert _wait(client, job_id)["state"] == "done"
    assert seen == [1, 1, 1]  # never two at once


def test_a_failing_job_says_why_and_never_how(client: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for detector in ("no-such-detector", "fast.v1+zz", "\x00"):
        r = client.post("/api/v1/jobs", json={"kind": "analyze", "detector": detector})
        assert r.status_code == 400 and r.json()["code"] == "PS400", detector

    def broken(store: Store, detector: object) -> Any:
        def work(job: jobs.Job) -> dict[str, Any]:
            if job.id == 1:
                raise InputTooLarge("the model is too big")
            raise RuntimeError("secret /path/in/a/traceback")
        return work

    monkeypatch.setattr(jobs, "analyze_work", broken)
    first = client.post("/api/v1/jobs", json={"kind": "analyze"}).json()["id"]
    second = client.post("/api/v1/jobs", json={"kind": "analyze"}).json()["id"]
    job = _wait(client, first)
    assert job["state"] == "failed" and job["error"]["code"] == "PS104"
    assert job["error"]["message"] == "the model is too big"
    job = _wait(client, second)
    assert job["state"] == "failed" and job["error"]["code"] == "PS000"
    assert "secret" not in json.dumps(job) and "Traceback" not in json.dumps(job)


def test_the_jobs_pages_start_and_follow_a_job(client: TestClient) -> None:
    page = client.get("/jobs").text
    assert "No jobs yet." in page and 'type="file"' in page
    token = re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]
    r = client.post("/jobs", data={"kind": "ingest", "csrf": "y" * 43},
                    files={"file": ("n.jsonl", _jsonl(2, 10), "x")})
    assert r.status_code == 403
    r = client.post("/jobs", data={"kind": "ingest", "csrf": token},
                    files={"file": ('"><img src=x onerror=alert(1)>.jsonl',
                                             _jsonl(2, 10) + b"[1]\n", "x")},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/jobs/1"
    _wait(client, 1)
    page = client.get("/jobs/1").text
    assert 'data-job="1"' in page and '<script src="/static/jobs.js"' in page
    assert "texts_added" in page and "<script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.jsonl:3" in page
    assert "<img" not in page
    assert client.get("/static/jobs.js").status_code == 200
    r = client.post("/jobs", data={"kind": "ingest", "csrf": token,
                                   "sources": "/etc/passwd"})
    assert r.status_code == 400


def test_a_read_only_server_runs_no_jobs(filled: Store) -> None:
    with client_for(filled, read_only=True) as c:
        assert c.post("/api/v1/jobs", json={"kind": "analyze"}).status_code == 403
        r = c.post("/api/v1/jobs/upload", files={"file": ("n.jsonl", _jsonl(1), "x")})
        assert r.status_code == 403
        assert "runs no jobs" in c.get("/jobs").text
        assert c.get("/api/v1/jobs").json() == {"jobs": []}
