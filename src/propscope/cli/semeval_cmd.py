"""``propscope semeval …``: SemEval-2020 Task 11 files in and out, and their scores.

Offsets in every file are code points of the article file as read in UTF-8; see
:mod:`propscope.semeval.run` for how they cross to the normalised text detectors read.
``--split`` restricts a command to the train or dev articles of the fixed split
(:func:`propscope.semeval.corpus.dev_split`), so dev figures reproduce from the CLI.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

import typer

from propscope.detect.base import get_detector
from propscope.errors import DataError
from propscope.present.safe import printable
from propscope.semeval.corpus import Article, article_ids, load_articles, select_split
from propscope.semeval.formats import Label, read_labels, read_labels_dir, write_labels
from propscope.semeval.run import predict_si, predict_spans, predict_tc
from propscope.semeval.scorer import SCORERS

semeval_app = typer.Typer(
    help="SemEval-2020 Task 11: predict SI/TC/span files for PTC-style articles, score them.",
    no_args_is_help=True,
)


class Split(str, Enum):
    all = "all"
    train = "train"
    dev = "dev"


class Task(str, Enum):
    si = "si"
    tc = "tc"
    spans = "spans"


DETECTOR = typer.Option("default", "--detector", "-d", help="A detector name (fast), name "
                        "and version (fast.v1) or full id.")
SPLIT = typer.Option(
    Split.all, "--split", help="Only the train or dev articles of the fixed split."
)
OUTPUT = typer.Option(..., "--output", "-o", help="Prediction file to write.")


def _articles(articles_dir: Path, split: Split) -> list[Article]:
    ids = select_split(article_ids(articles_dir), split.value)
    if not ids:
        raise DataError(f"no article<ID>.txt files in {articles_dir}",
                        fix="point at a folder laid out like ptc/articles")
    return load_articles(articles_dir, ids)


def _done(path: Path, count: int, articles: int) -> None:
    typer.echo(f"wrote {count} spans for {articles} articles to "
               f"{printable(path, one_line=True)}", err=True)


@semeval_app.command("si")
def si(articles_dir: Path, output: Path = OUTPUT, detector: str = DETECTOR,
       split: Split = SPLIT) -> None:
    """Find propaganda spans: writes ID<TAB>START<TAB>END lines."""
    articles = _articles(articles_dir, split)
    labels = predict_si(get_detector(detector), articles)
    _done(output, write_labels(output, labels, with_technique=False), len(articles))


@semeval_app.command("tc")
def tc(articles_dir: Path, template: Path, output: Path = OUTPUT, detector: str = DETECTOR,
       split: Split = SPLIT) -> None:
    """Label given spans: reads ID<TAB>?<TAB>START<TAB>END, writes a technique for '?'."""
    articles = _articles(articles_dir, split)
    wanted = {a.id for a in articles}
    lines = [label for label in read_labels(template) if label.article_id in wanted]
    labels = predict_tc(get_detector(detector), articles, lines)
    _done(output, write_labels(output, labels, with_technique=True), len(articles))


@semeval_app.command("spans")
def spans(articles_dir: Path, output: Path = OUTPUT, detector: str = DETECTOR,
          split: Split = SPLIT) -> None:
    """Find spans with techniques: writes ID<TAB>TECHNIQUE<TAB>START<TAB>END lines."""
    articles = _articles(articles_dir, split)
    labels = predict_spans(get_detector(detector), articles)
    _done(output, write_labels(output, labels, with_technique=True), len(articles))


_LABEL_FILE = re.compile(r"article(\d+)\.")


def gold_labels(gold_dir: Path, task: Task) -> list[Label]:
    """Gold labels of a PTC-style folder: labels-si/ for SI when present, else labels-tc/."""
    si_dir, tc_dir = gold_dir / "labels-si", gold_dir / "labels-tc"
    if task is Task.si and si_dir.is_dir():
        return read_labels_dir(si_dir)
    if not tc_dir.is_dir():
        raise DataError(f"no labels-tc/ folder in {gold_dir}",
                        fix="GOLD_DIR must hold labels-si/ and labels-tc/ as the PTC does")
    return read_labels_dir(tc_dir)


def gold_ids(gold_dir: Path) -> list[str]:
    """All article ids of a gold folder, labelled or not (the split counts them all):
    from articles/ when present, else from the ``article<ID>….labels`` file names (the
    PTC release names them ``article<ID>.task2-TC.labels``)."""
    if (gold_dir / "articles").is_dir():
        return article_ids(gold_dir / "articles")
    names = (p.name for p in (gold_dir / "labels-tc").glob("article*.labels"))
    return sorted({m.group(1) for n in names if (m := _LABEL_FILE.match(n))}, key=int)


@semeval_app.command("score")
def score(task: Task, gold_dir: Path, pred: Path, split: Split = SPLIT) -> None:
    """Score a prediction file: overall and per-technique P/R/F1."""
    gold = gold_labels(gold_dir, task)
    predicted = read_labels(pred)
    if split is not Split.all:
        keep = set(select_split(gold_ids(gold_dir), split.value))
        gold = [g for g in gold if g.article_id in keep]
        predicted = [p for p in predicted if p.article_id in keep]
    if task is Task.tc and any(p.technique in (None, "?") for p in predicted):
        raise DataError(f"{pred} has lines without a technique: not a TC prediction")
    typer.echo(SCORERS[task.value](gold, predicted).format())
