"""A fresh PostgreSQL schema for one benchmark run, dropped afterwards.

The benchmarks that measure PostgreSQL (ingest.py, analytics.py, scale.py) each need a
clean, throw-away namespace on the server named by ``$PROPSCOPE_TEST_POSTGRES``; this is
the one place that makes it.  (Run as ``python benchmarks/x.py``, so ``benchmarks/`` is
on ``sys.path`` and ``from pg_schema import fresh_schema`` finds it.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fresh_schema(base: str) -> Iterator[str]:
    """A URL to a new schema of the server at ``base``; the schema is dropped on exit."""
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")
