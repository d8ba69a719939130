"""The public surface of ``propscope.ingest``: what the storage and CLI code call."""

from __future__ import annotations

import dataclasses
import json

from propscope import ingest
from propscope.errors import EmptyInput
from propscope.ingest import USER_AGENT, IngestOptions, ItemError


def test_every_public_name_exists() -> None:
    assert len(set(ingest.__all__)) == len(ingest.__all__)
    for name in ingest.__all__:
        assert hasattr(ingest, name), name
    for name in ("load", "load_one", "extract_html", "IngestOptions", "ItemError"):
        assert name in ingest.__all__


def test_options_defaults_are_safe() -> None:
    options = IngestOptions()
    assert options.allow_private is False
    assert options.respect_robots and options.repair and options.furniture
    assert options.user_agent == USER_AGENT
    assert 0 < options.timeout and 0 < options.max_bytes and options.retries >= 0
    fields = {f.name for f in dataclasses.fields(IngestOptions)}
    assert {
        "allow_private",
        "max_bytes",
        "timeout",
        "user_agent",
        "rate_limit",
        "retries",
        "encoding",
        "repair",
    } <= fields


def test_item_error_reports_one_line() -> None:
    error = ItemError("feed.xml", "https://x.example/a", EmptyInput("the page has no text"))
    assert (
        error.one_line() == "https://x.example/a: error PS102: the page has no text "
        "(give a document with some text in it)"
    )
    json.dumps({"source": error.source, "item": error.item, "code": error.error.code})
