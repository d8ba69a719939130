"""The corpus loader and the fixed dev split every detector reports on."""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.errors import DataError
from propscope.semeval.corpus import (
    article_ids,
    dev_split,
    load_corpus,
    resolve_ptc_dir,
    split_ids,
)


def test_dev_split_takes_every_fifth_id_in_numeric_order() -> None:
    ids = [str(i) for i in range(1, 13)]
    train, dev = dev_split(list(reversed(ids)))
    assert dev == ["5", "10"]
    assert train == [i for i in ids if i not in dev]
    # numeric, not lexicographic: "9" < "10" < "100"
    assert dev_split(["100", "9", "10", "11", "12"])[1] == ["100"]


def test_ptc_split_is_297_train_and_74_dev(ptc_dir: Path) -> None:
    ids = article_ids(ptc_dir / "articles")
    train, dev = dev_split(ids)
    assert (len(ids), len(train), len(dev)) == (371, 297, 74)
    assert not set(train) & set(dev)
    assert split_ids(ptc_dir, "dev") == dev


def test_articles_are_read_byte_exact_with_labels(tiny_ptc: Path) -> None:
    articles = load_corpus(tiny_ptc)
    assert [a.id for a in articles] == ["1", "2", "3"]
    first = articles[0]
    assert "\u201cpuppets\u201d" in first.raw
    spans = {first.raw[lab.start:lab.end] for lab in first.labels}
    assert "imperialist reactionaries" in spans
    assert articles[1].labels == []


def test_data_folder_resolution(tiny_ptc: Path, tmp_path: Path) -> None:
    assert resolve_ptc_dir(tiny_ptc) == tiny_ptc
    assert resolve_ptc_dir(tiny_ptc.parent) == tiny_ptc
    with pytest.raises(DataError, match="no data folder"):
        resolve_ptc_dir(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no PTC corpus"):
        resolve_ptc_dir(tmp_path / "empty")
    with pytest.raises(ValueError, match="unknown split"):
        split_ids(tiny_ptc, "test")
