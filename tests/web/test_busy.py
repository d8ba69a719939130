"""Analysis is bounded: past its workers and queue a request gets 429 with
Retry-After at once, and reading stays quick while analyses run."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from propscope.model import Document, Span
from propscope.store import Store
from tests.web.conftest import client_for


class Blocking:
    """A detector that waits for ``release``, so requests pile up behind it."""

    name = "blocking-test"
    version = "1"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        self.entered.release()
        assert self.release.wait(30)
        return [[] for _ in docs]


def test_analysis_beyond_capacity_is_429_and_reading_stays_quick(filled: Store) -> None:
    detector = Blocking()
    statuses: list[int] = []
    with client_for(filled, analysis_workers=1, analysis_queue=1) as c:
        c.app.state.settings.detector = detector  # type: ignore[attr-defined]

        def post() -> None:
            statuses.append(c.post("/api/v1/analyze", json={"text": "A text."}).status_code)

        running = [threading.Thread(target=post) for _ in range(2)]  # one runs, one waits
        for thread in running:
            thread.start()
        assert detector.entered.acquire(timeout=10)
        time.sleep(0.2)  # let the second request take its queue place
        started = time.perf_counter()
        r = c.post("/api/v1/analyze", json={"text": "One too many."})
        assert r.status_code == 429 and r.json()["code"] == "PS429"
        assert r.headers["retry-after"].isdigit()
        assert c.get("/api/v1/documents").status_code == 200
        assert time.perf_counter() - started < 2  # answered, not queued behind analysis
        detector.release.set()
        for thread in running:
            thread.join(30)
    assert statuses == [200, 200]
