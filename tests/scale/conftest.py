"""Cluster fixtures: a real ``LocalCluster`` (2 processes, 1 thread each), and the
store tests' ``store_url`` (a fresh PostgreSQL schema per test when a test asks for
``postgres`` with :data:`tests.scale.POSTGRES`).  Skipped, with the reason, without dask or a server."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # for tests.* here, and in the workers: spawned children
    sys.path.insert(0, str(REPO))  # get this process's sys.path

from tests.store.conftest import PG_ENV, store_url  # noqa: F401 - the fixture, reused


def _needs_dask() -> Any:
    return pytest.importorskip("distributed", reason="cluster tests need dask[distributed]"
                               " (pip install 'propscope[scale]')")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    distributed = _needs_dask()
    if not os.environ.get(PG_ENV):
        pytest.skip(f"cluster tests need PostgreSQL: set {PG_ENV}")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


@pytest.fixture
def client(cluster: Any) -> Iterator[Any]:
    import distributed

    with distributed.Client(cluster) as opened:
        opened.wait_for_workers(2, timeout=60)
        yield opened
