"""Readers and writers of the SemEval-2020 Task 11 label files.

Three line shapes, all TAB-separated, one span a line, offsets in code points of the
article file, end exclusive:

* SI (span identification): ``ID  START  END``
* TC (technique classification): ``ID  TECHNIQUE  START  END``; in a TC *template*
  the technique is ``?``
* spans (propscope's name for "SI with techniques"): the TC shape, written for spans
  a detector found itself.

Readers raise :class:`~propscope.errors.FormatError` naming the file and line, so a
broken prediction file is one clear message, not a ``ValueError`` from ``int()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from propscope.errors import DecodeError, FormatError, InputNotFound, OutputError
from propscope.techniques import TECHNIQUES_BY_NAME

TEMPLATE_TECHNIQUE = "?"


@dataclass(frozen=True, slots=True, order=True)
class Label:
    """One line of a label file: a raw-offset span of one article.

    ``technique`` is a PTC class name, ``None`` for SI lines, or ``"?"`` in a TC
    template.
    """

    article_id: str
    start: int
    end: int
    technique: str | None = None


def parse_line(line: str, *, where: str = "<line>") -> Label | None:
    """One label from a line (SI or TC shape, told apart by the field count);
    ``None`` for a blank line."""
    line = line.rstrip("\r\n")
    if not line.strip():
        return None
    fields = line.split("\t")
    if len(fields) == 3:
        article_id, start_s, end_s = fields
        technique: str | None = None
    elif len(fields) == 4:
        article_id, technique, start_s, end_s = fields
        if technique != TEMPLATE_TECHNIQUE and technique not in TECHNIQUES_BY_NAME:
            raise FormatError(f"{where}: unknown technique {technique!r}")
    else:
        raise FormatError(
            f"{where}: expected 3 (SI) or 4 (TC) TAB-separated fields, got {len(fields)}"
        )
    try:
        start, end = int(start_s), int(end_s)
    except ValueError:
        raise FormatError(f"{where}: offsets must be integers, got {start_s!r}, {end_s!r}")
    if not article_id.strip() or start < 0 or end <= start:
        raise FormatError(f"{where}: bad span {article_id!r} [{start}, {end})")
    return Label(article_id.strip(), start, end, technique)


def read_labels(path: str | Path) -> list[Label]:
    """Every label in one file (a prediction file or one ``articleID.labels``)."""
    path = Path(path)
    if not path.is_file():
        raise InputNotFound(f"no label file at {path}")
    labels = []
    with path.open(encoding="utf-8") as handle:
        try:
            for number, line in enumerate(handle, 1):
                label = parse_line(line, where=f"{path}:{number}")
                if label is not None:
                    labels.append(label)
        except UnicodeDecodeError as exc:
            raise DecodeError(f"{path} is not valid UTF-8") from exc
    return labels


def read_labels_dir(folder: str | Path) -> list[Label]:
    """Every label in a ``labels-si/`` or ``labels-tc/`` folder (``*.labels`` files)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputNotFound(f"no label folder at {folder}")
    labels: list[Label] = []
    for path in sorted(folder.glob("*.labels")):
        labels.extend(read_labels(path))
    return labels


def format_line(label: Label, *, with_technique: bool) -> str:
    """The file line of ``label``: TC/spans shape when ``with_technique``, else SI."""
    if with_technique:
        if label.technique is None:
            raise ValueError(f"label {label} has no technique to write")
        return f"{label.article_id}\t{label.technique}\t{label.start}\t{label.end}"
    return f"{label.article_id}\t{label.start}\t{label.end}"


def write_labels(path: str | Path, labels: Iterable[Label], *, with_technique: bool) -> int:
    """Write ``labels`` sorted by article and offset; return how many lines."""
    ordered = sorted(
        labels, key=lambda x: (_id_key(x.article_id), x.start, x.end, x.technique or "")
    )
    lines = [format_line(label, with_technique=with_technique) for label in ordered]
    try:
        Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    except OSError as exc:
        raise OutputError.writing(path, exc) from exc
    return len(lines)


def _id_key(article_id: str) -> tuple[int, str]:
    """Numeric ids in numeric order, anything else after them by text."""
    return (int(article_id), "") if article_id.isdigit() else (1 << 62, article_id)
