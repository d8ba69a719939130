"""The Propaganda Techniques Corpus on disk, and the one dev split every detector uses.

Layout (as ``../shared/data/ptc``)::

    articles/article<ID>.txt        title, blank line, body one sentence a line
    labels-si/article<ID>.labels    ID START END
    labels-tc/article<ID>.labels    ID TECHNIQUE START END

The folder is third-party data and never part of the repository: every entry point
takes its path (``--data``), else ``$PROPSCOPE_DATA``, else the ``shared/data``
folder beside a source checkout.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from propscope.errors import DataError, DecodeError
from propscope.semeval.formats import Label, read_labels

_ARTICLE = re.compile(r"article(\d+)\.txt$")
DEV_EVERY = 5
DEV_INDEX = 4


@dataclass(slots=True)
class Article:
    """One article file: its id (the digits of the file name) and its raw text."""

    id: str
    raw: str
    path: Path
    labels: list[Label] = field(default_factory=list)  # TC labels when known


def resolve_data_dir(path: str | Path | None = None) -> Path:
    """The shared data folder: ``path``, else ``$PROPSCOPE_DATA``, else ``shared/data``
    beside the source checkout.  Raises :class:`DataError` when none exists."""
    candidates: list[Path] = []
    if path is not None:
        candidates.append(Path(path))
    elif os.environ.get("PROPSCOPE_DATA"):
        candidates.append(Path(os.environ["PROPSCOPE_DATA"]))
    else:
        candidates.append(Path(__file__).resolve().parents[3].parent / "shared" / "data")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise DataError(
        f"no data folder at {candidates[0]}",
        fix="pass --data PATH or set PROPSCOPE_DATA to the folder holding ptc/",
    )


def resolve_ptc_dir(path: str | Path | None = None) -> Path:
    """The PTC folder from a path to it or to the data folder above it."""
    base = resolve_data_dir(path)
    for candidate in (base, base / "ptc"):
        if (candidate / "articles").is_dir():
            return candidate
    raise DataError(
        f"{base} holds no PTC corpus (no articles/ folder in it or in ptc/)",
        fix="point --data at the folder holding ptc/ or at ptc/ itself",
    )


def article_ids(articles_dir: str | Path) -> list[str]:
    """Ids of the ``article<ID>.txt`` files in a folder, in numeric order."""
    folder = Path(articles_dir)
    if not folder.is_dir():
        raise DataError(f"no articles folder at {folder}", fix="check the path")
    ids = [m.group(1) for p in folder.iterdir() if (m := _ARTICLE.search(p.name))]
    return sorted(ids, key=int)


def read_article(articles_dir: str | Path, article_id: str) -> Article:
    """One article, read exactly as UTF-8 (no newline translation: offsets count the
    file's own code points)."""
    path = Path(articles_dir) / f"article{article_id}.txt"
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return Article(article_id, handle.read(), path)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"{path} is not valid UTF-8 (byte {exc.start})") from exc
    except FileNotFoundError as exc:
        raise DataError(f"no article file {path}") from exc


def load_articles(
    articles_dir: str | Path, ids: Sequence[str] | None = None
) -> list[Article]:
    """Articles of a folder (all, or those in ``ids``), in numeric id order."""
    wanted = article_ids(articles_dir) if ids is None else list(ids)
    return [read_article(articles_dir, article_id) for article_id in wanted]


def load_corpus(ptc_dir: str | Path, ids: Sequence[str] | None = None) -> list[Article]:
    """Articles of a PTC folder with their TC labels attached."""
    ptc = Path(ptc_dir)
    articles = load_articles(ptc / "articles", ids)
    for article in articles:
        label_path = ptc / "labels-tc" / f"article{article.id}.labels"
        if label_path.is_file():
            article.labels = read_labels(label_path)
    return articles


def dev_split(ids: Sequence[str]) -> tuple[list[str], list[str]]:
    """``(train, dev)``: the fixed evaluation split of propscope.

    Ids are sorted *numerically* (the digits of ``article<ID>.txt`` as integers); the
    ids at positions 4, 9, 14, … (``index % 5 == 4``) are dev, the rest train.  On
    the 371 PTC articles that is 74 dev and 297 train.  Every detector reports its
    dev figures on this split, so the numbers stay comparable.
    """
    ordered = sorted(ids, key=int)
    dev = [a for i, a in enumerate(ordered) if i % DEV_EVERY == DEV_INDEX]
    train = [a for i, a in enumerate(ordered) if i % DEV_EVERY != DEV_INDEX]
    return train, dev


def split_ids(ptc_dir: str | Path, split: str) -> list[str]:
    """Ids of ``split`` (``train``, ``dev`` or ``all``) of a PTC folder."""
    return select_split(article_ids(Path(ptc_dir) / "articles"), split)


def select_split(ids: Sequence[str], split: str) -> list[str]:
    """The ids of ``split`` (``train``, ``dev`` or ``all``) among ``ids``."""
    if split == "all":
        return list(ids)
    train, dev = dev_split(ids)
    if split == "train":
        return train
    if split == "dev":
        return dev
    raise ValueError(f"unknown split {split!r}; choose train, dev or all")
