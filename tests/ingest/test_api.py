"""The public surface of ``propscope.ingest``: what the storage and CLI code call."""

from __future__ import annotations

import dataclasses
import json

import pytest

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
    fields = set(IngestOptions.option_names())
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


def test_options_are_grouped_yet_built_and_set_by_flat_name() -> None:
    from propscope.ingest.types import FetchOptions, ReadOptions, TextOptions

    options = IngestOptions(max_bytes=1000, encoding="cp1251", allow_private=True, repair=False)
    assert isinstance(options.fetch, FetchOptions) and options.fetch.allow_private is True
    assert isinstance(options.read, ReadOptions) and options.read.max_bytes == 1000
    assert isinstance(options.text, TextOptions) and options.text.repair is False
    assert (options.max_bytes, options.encoding, options.allow_private) == (1000, "cp1251", True)
    options.retries = 0
    assert options.fetch.retries == 0
    whole = IngestOptions(fetch=FetchOptions(timeout=5.0), timeout=7.0, text_field="body")
    assert (whole.timeout, whole.fetch.timeout, whole.read.text_field) == (7.0, 7.0, "body")
    assert options == options.copy() and options != options.copy(retries=1)
    copy = options.copy(retries=3)
    assert copy.retries == 3 and options.retries == 0 and copy.max_bytes == 1000
    assert copy.names is options.names  # the name lexicon is meant to be shared
    with pytest.raises(TypeError, match="max_byte"):
        IngestOptions(max_byte=10)
    with pytest.raises(AttributeError):
        options.max_byte = 10  # type: ignore[attr-defined]
    assert len(IngestOptions.option_names()) == len(set(IngestOptions.option_names()))
    assert {f.name for f in dataclasses.fields(FetchOptions)} >= {"timeout", "allow_networks"}


def test_item_error_reports_one_line() -> None:
    error = ItemError("feed.xml", "https://x.example/a", EmptyInput("the page has no text"))
    assert (
        error.one_line() == "https://x.example/a: error PS102: the page has no text "
        "(give a document with some text in it)"
    )
    json.dumps({"source": error.source, "item": error.item, "code": error.error.code})
