"""Tests of propscope.scale: Dask workers writing to PostgreSQL."""

import pytest

POSTGRES = pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
"""A test on PostgreSQL only: a cluster's workers share one database."""
