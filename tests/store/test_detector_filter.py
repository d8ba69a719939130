"""Detector filters: a bare name, ``name.vN`` or a full id, on every method that reads
spans or analyses — while what is pending stays decided by the exact id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from propscope.errors import DetectorError, StoreError
from propscope.model import AnalysedDocument, Span
from propscope.store import Store
from propscope.store.export import export

from .conftest import make_doc

IDS = ("fast.v1+1a2b3c4d", "fast.v1+99999999", "fast.v2+1a2b3c4d", "neural.v1+00ff00ff",
       "fastish.v1+1a2b3c4d")


@pytest.fixture
def analysed(store: Store) -> tuple[Store, int]:
    """One text analysed by five detector ids, each leaving one span of its own."""
    [added] = store.add_documents([make_doc(1)])
    doc = store.get_text(added.text_id).document
    run = store.start_run("analyze")
    for n, ident in enumerate(IDS):
        span = Span(n, n + 5, "Loaded_Language", 0.5, ident, "test")
        store.save_analyses(run, [(added.text_id, AnalysedDocument(doc, [span], ident, 0.5))],
                            {}, [])
    return store, added.text_id


@pytest.mark.parametrize(("given", "expected"), [
    ("fast", {"fast.v1+1a2b3c4d", "fast.v1+99999999", "fast.v2+1a2b3c4d"}),
    ("fast.v1", {"fast.v1+1a2b3c4d", "fast.v1+99999999"}),
    ("fast.v1+99999999", {"fast.v1+99999999"}),
    ("neural", {"neural.v1+00ff00ff"}),
    ("default", {"neural.v1+00ff00ff"}),  # the alias names the default detector
    ("Fast", set()),  # ids are case-sensitive on both backends
    ("fast.v3", set()),
])
def test_get_and_iter_accept_a_name_a_version_or_an_id(
    analysed: tuple[Store, int], given: str, expected: set[str]
) -> None:
    store, text_id = analysed
    item = store.get_text(text_id, detector=given)
    assert set(item.scores) == expected
    assert {s.detector for s in item.spans} == expected
    [listed] = store.iter_texts(detector=given) or [None]
    assert {s.detector for s in listed.spans} == expected
    only = list(store.iter_texts(detector=given, analysed_only=True))
    assert [i.text_id for i in only] == ([text_id] if expected else [])


def test_a_malformed_detector_filter_is_refused(analysed: tuple[Store, int]) -> None:
    store, text_id = analysed
    with pytest.raises(DetectorError):
        store.get_text(text_id, detector="fast%")
    with pytest.raises(DetectorError):
        list(store.iter_texts(detector="fast.v1 OR 1=1"))


def test_pending_still_means_the_exact_id(analysed: tuple[Store, int]) -> None:
    store, _ = analysed
    store.add_documents([make_doc(2)])
    assert store.count_pending("fast.v1+1a2b3c4d") == 1
    assert store.count_pending("fast.v1+deadbeef") == 2  # a new configuration: everything
    assert [i for i, _ in store.pending("fast.v1+1a2b3c4d")] != []


def test_export_by_bare_name_writes_its_spans(analysed: tuple[Store, int], tmp_path: Path) -> None:
    store, _ = analysed
    assert export(store, "csv", tmp_path / "fast.csv", detector="fast") == 3
    assert export(store, "csv", tmp_path / "v1.csv", detector="fast.v1") == 2
    assert export(store, "jsonl", tmp_path / "out.jsonl", detector="neural") == 1
    record = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert [s["detector"] for s in record["spans"]] == ["neural.v1+00ff00ff"]


def test_semeval_export_takes_one_stored_id_of_the_name(
    analysed: tuple[Store, int], tmp_path: Path
) -> None:
    store, text_id = analysed
    assert export(store, "semeval", tmp_path / "ptc", detector="fast.v1") == 1
    labels = (tmp_path / "ptc" / "labels-si" / f"article{text_id}.labels").read_text()
    assert len(labels.splitlines()) == 1  # one configuration's spans, not two mixed


def test_export_of_a_detector_never_stored_is_an_error(
    analysed: tuple[Store, int], tmp_path: Path
) -> None:
    store, _ = analysed
    with pytest.raises(StoreError, match="fast.v3"):
        export(store, "csv", tmp_path / "none.csv", detector="fast.v3")
