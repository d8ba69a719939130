#!/usr/bin/env python
"""Load on the workbench: a real ``propscope serve`` on 127.0.0.1, concurrent clients.

    python benchmarks/web_load.py [--db PATH|URL] [--data kcna-2024.jsonl]
                                  [--clients 50] [--seconds 10] [--max-requests 3000]

Starts ``propscope serve --read-only --detector fast`` in its own process on a free
loopback port (the clients, in this process, do not share its interpreter), then runs
one phase per endpoint, each with ``--clients`` concurrent clients (asyncio + httpx)
for ``--seconds`` or ``--max-requests``, whichever comes first (``--think S``: each
client waits a random 0–2S seconds between its requests, as a reader does; the default,
0, keeps a request of every client in flight all the time: a stress test):

* ``search``     GET /api/v1/search (stemmed, words of KCNA's vocabulary)
* ``facets``     GET /api/v1/facets (unfiltered and filtered by technique or month)
* ``document``   GET /api/v1/documents/{id} (random ids)
* ``page``       GET /documents/{id} (the HTML page: highlights drawn)
* ``timeseries`` GET /api/v1/timeseries (technique, by week or month)
* ``analysis``   POST /api/v1/analyze with ``--analysis-clients`` clients: more than the
  server's analysis capacity (2 running + 8 waiting), so the rest must get 429 at once.

For each phase it prints requests/s, p50/p95/p99 latency, the statuses and the errors
(timeouts, refused connections), then the load average.  Targets (issue #9): p95 ≤ 150
ms and no error for search, facets and document at 50 clients on SQLite; analysis past
capacity answered 429, never a timeout or a 500.  The exit status is 1 when a target is
missed.

Without ``--db`` a store is built in a temporary folder from ``--data`` (``ingest``, then
``analyze --detector fast``: about 15 s on two cores).  With ``--db`` an empty store is
filled the same way and a filled one used as it is (a PostgreSQL URL works too).
Loopback only, bounded in time (``--max-total`` seconds for the whole run) and count;
the server is stopped however the run ends.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from propscope.techniques import TECHNIQUES as ALL_TECHNIQUES

HOST = "127.0.0.1"  # loopback only: never a flag
DEFAULT_DATA = (Path(os.environ["PROPSCOPE_DATA"]) if os.environ.get("PROPSCOPE_DATA")
                else Path(__file__).resolve().parents[1].parent / "shared" / "data"
                ) / "kcna" / "kcna-2024.jsonl"
WORDS = ["nuclear", "imperialists", "Kim Jong Un", "puppet", "missile", "anniversary",
         "agriculture", "Japan", "\"field guidance\"", "war", "sanctions", "youth",
         "socialist construction", "Korean People's Army", "congratulations"]
TECHNIQUES = [t.slug for t in ALL_TECHNIQUES]
ANALYSIS_TEXT = (
    "The heinous U.S. imperialists and their puppet warmongers are pushing the situation "
    "to the brink of nuclear war. Our invincible army will never tolerate it. " * 8)
READ_PHASES = ("search", "facets", "document")
P95_TARGET_MS = 150.0


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def report(self) -> str:
        ms = sorted(x * 1000 for x in self.latencies)
        done = len(ms)

        def pct(p: float) -> float:
            return ms[min(done - 1, int(p * done))] if done else float("nan")

        codes = " ".join(f"{k}:{v}" for k, v in sorted(self.statuses.items()))
        errs = " ".join(f"{k}:{v}" for k, v in sorted(self.errors.items())) or "none"
        return (f"{self.name:<11} {done:>6} req  {done / self.seconds:7.1f} req/s"
                f"  p50 {pct(.50):6.1f}  p95 {pct(.95):6.1f}  p99 {pct(.99):6.1f} ms"
                f"  statuses {codes or '-'}  errors {errs}")

    def p95(self) -> float:
        ms = sorted(x * 1000 for x in self.latencies)
        return ms[min(len(ms) - 1, int(.95 * len(ms)))] if ms else float("inf")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def run_cli(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "propscope", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def build_store(db: str, data: Path, env: dict[str, str]) -> None:
    """Fill ``db`` from ``data`` unless it already holds texts."""
    from propscope.store import open_store

    with open_store(db) as store:
        if store.stats().texts:
            return
    if not data.is_file():
        sys.exit(f"no data at {data}: pass --data PATH (kcna-2024.jsonl)")
    t0 = time.perf_counter()
    run_cli("ingest", "--db", db, str(data), env=env)
    run_cli("analyze", "--db", db, "--detector", "fast", env=env)
    print(f"built the store in {time.perf_counter() - t0:.1f} s")


def store_ids(db: str) -> tuple[list[int], list[str]]:
    from propscope.store import open_store

    with open_store(db) as store:
        ids = [int(r[0]) for r in store.query("SELECT id FROM texts ORDER BY id")]
        months = sorted({str(r[0])[:7] for r in store.query(
            "SELECT published FROM texts WHERE published IS NOT NULL")})
    return ids, months


def start_server(db: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "propscope", "serve", "--db", db, "--host", HOST,
         "--port", str(port), "--read-only", "--detector", "fast"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with status {server.returncode}")
        try:
            if httpx.get(f"http://{HOST}:{port}/api/v1/techniques", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    stop(server)
    sys.exit("the server did not start within 60 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def request_for(name: str, ids: list[int], months: list[str], rnd: random.Random
                ) -> tuple[str, str, dict | None]:
    if name == "search":
        return "GET", f"/api/v1/search?{httpx.QueryParams(q=rnd.choice(WORDS))}", None
    if name == "facets":
        pick = rnd.random()
        params = ({} if pick < .4 else {"technique": rnd.choice(TECHNIQUES)} if pick < .7
                  else {"month": rnd.choice(months)} if months else {})
        return "GET", f"/api/v1/facets?{httpx.QueryParams(params)}", None
    if name == "document":
        return "GET", f"/api/v1/documents/{rnd.choice(ids)}", None
    if name == "page":
        return "GET", f"/documents/{rnd.choice(ids)}", None
    if name == "timeseries":
        params = {"technique": rnd.choice(TECHNIQUES), "period": rnd.choice(["week", "month"])}
        return "GET", f"/api/v1/timeseries?{httpx.QueryParams(params)}", None
    if name == "analysis":
        return "POST", "/api/v1/analyze", {"text": ANALYSIS_TEXT}
    raise ValueError(name)


async def run_phase(base: str, name: str, clients: int, seconds: float, cap: int,
                    ids: list[int], months: list[str], timeout: float,
                    think: float = 0.0) -> Phase:
    phase = Phase(name)
    budget = [cap]
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(k: int, http: httpx.AsyncClient) -> None:
        rnd = random.Random(k)
        if think:  # readers arrive over one think time, not all in the same millisecond
            await asyncio.sleep(rnd.uniform(0, 2 * think))
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            method, path, body = request_for(name, ids, months, rnd)
            t0 = time.perf_counter()
            try:
                r = await http.request(method, path, json=body)
                phase.statuses[r.status_code] += 1
                if r.status_code == 429:
                    # A well-behaved client waits as told (bounded: the run ends anyway).
                    await asyncio.sleep(min(float(r.headers.get("Retry-After", "1")), 1.0))
            except httpx.TimeoutException:
                phase.errors["timeout"] += 1
            except httpx.HTTPError as exc:
                phase.errors[type(exc).__name__] += 1
            phase.latencies.append(time.perf_counter() - t0)
            if think:  # a reader reads before the next click: uniform, mean ``think``
                await asyncio.sleep(rnd.uniform(0, 2 * think))

    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as http:
        await asyncio.gather(*(client(k, http) for k in range(clients)))
    phase.seconds = time.perf_counter() - t0
    return phase


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="store to serve (default: a temporary SQLite file)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--analysis-clients", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase")
    parser.add_argument("--max-requests", type=int, default=3000, help="per phase")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a client waits between its requests (0: none,"
                             " every client always has a request in flight)")
    parser.add_argument("--max-total", type=float, default=115.0,
                        help="the whole run, setup included, stops after this")
    parser.add_argument("--phases", default="search,facets,document,page,timeseries,analysis")
    args = parser.parse_args()
    started = time.monotonic()
    env = dict(os.environ, PROPSCOPE_NO_UPDATE_CHECK="1")
    tmp = tempfile.mkdtemp(prefix="propscope-load-")
    server = None
    try:
        db = args.db or str(Path(tmp) / "kcna.db")
        build_store(db, args.data.resolve(), env)
        ids, months = store_ids(db)
        port = free_port()
        server = start_server(db, port, env)
        base = f"http://{HOST}:{port}"
        print(f"server: propscope serve --read-only --detector fast on {base}, "
              f"{len(ids)} documents, {'PostgreSQL' if db.startswith('postgres') else 'SQLite'}"
              f"; {os.cpu_count()} CPUs; load average before {os.getloadavg()[0]:.2f}")
        results: list[Phase] = []
        for name in args.phases.split(","):
            left = args.max_total - (time.monotonic() - started)
            if left < 5:
                print(f"{name:<11} skipped: --max-total reached")
                continue
            clients = args.analysis_clients if name == "analysis" else args.clients
            phase = asyncio.run(run_phase(base, name, clients, min(args.seconds, left - 3),
                                          args.max_requests, ids, months, args.timeout,
                                          0.0 if name == "analysis" else args.think))
            results.append(phase)
            print(phase.report(), flush=True)
        print("load average (1, 5, 15 min): "
              + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
        return verdict(results, args.clients, args.think)
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(tmp, ignore_errors=True)


def verdict(results: list[Phase], clients: int, think: float) -> int:
    missed = []
    for phase in results:
        bad = sum(n for code, n in phase.statuses.items() if code >= 500)
        errors = sum(phase.errors.values()) + bad
        if phase.name in READ_PHASES:
            if phase.p95() > P95_TARGET_MS:
                missed.append(f"{phase.name}: p95 {phase.p95():.0f} ms > {P95_TARGET_MS:.0f}")
            if errors or any(code != 200 for code in phase.statuses):
                missed.append(f"{phase.name}: {errors} errors, statuses {dict(phase.statuses)}")
        elif phase.name == "analysis":
            if errors:
                missed.append(f"analysis: {errors} timeouts, 5xx or connection errors")
            if not phase.statuses.get(429):
                missed.append("analysis: no 429 — capacity was not exceeded")
        elif errors:
            missed.append(f"{phase.name}: {errors} errors")
    mode = f"{clients} clients" + (f", think {think:g} s" if think else "")
    print(f"targets at {mode}: " + ("met" if not missed else "MISSED — " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
