"""Scale-out on a Dask cluster, with PostgreSQL as the shared store.

The same batch functions as a single process (:mod:`propscope.batch`) run inside Dask
tasks: :func:`analyze_cluster` cuts the pending texts into id ranges, one task each;
:func:`ingest_cluster` reads and stores one source per task.  A task is idempotent (the
store's keys skip what is already there), so a task Dask retries after losing its
worker stores nothing twice.  dask is an optional extra: ``pip install
'propscope[scale]'``; settings are the ``propscope.scale`` keys of dask config
(:data:`propscope.scale.cluster.DEFAULTS`).  Guide and figures: docs/scale.md.
"""

from __future__ import annotations

from propscope.scale.analyze import analyze_cluster
from propscope.scale.cluster import open_client
from propscope.scale.ingest import ingest_cluster

__all__ = ["analyze_cluster", "ingest_cluster", "open_client"]
