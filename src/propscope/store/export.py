"""Export a store: JSON lines, CSV, Parquet or a SemEval/PTC folder.

Why these four: JSON lines keep everything (text, URLs, every detector's spans) for
programs; CSV and Parquet are one row per span for spreadsheets and dataframes; the
SemEval folder (``articles/`` + ``labels-tc/`` + ``labels-si/``) feeds the task's
scorer and any tool built for the PTC corpus.  This module only chooses what to read
and reads the store a page at a time; :mod:`propscope.present.export` writes every
format, the same way for every face.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from propscope.detect.base import DetectorRef
from propscope.errors import OutputError, StoreError
from propscope.model import AnalysedDocument
from propscope.present import export as write
from propscope.store.base import Store, StoredText

FORMATS = ("jsonl", "csv", "parquet", "semeval")



def analysed(items: Iterable[StoredText]) -> Iterator[AnalysedDocument]:
    """Each stored text as a document with its spans, the shape the writers take."""
    for item in items:
        yield AnalysedDocument(item.document, list(item.spans), "")


def export(store: Store, fmt: str, out: str | Path, *, detector: str | None = None,
           defuse_formulas: bool = True) -> int:
    """Write the store to ``out`` in ``fmt``; return how many records (texts for jsonl
    and semeval, spans for csv and parquet).  ``detector`` keeps one detector's spans
    (a name, ``name.vN`` or a full id); SemEval needs exactly one and takes the most
    recently used when none is named.  ``defuse_formulas`` (CSV): see
    :func:`propscope.present.export.write_csv`."""
    out = Path(out)
    if fmt not in FORMATS:
        raise StoreError(f"unknown export format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    try:
        return _export(store, fmt, out, detector, defuse_formulas)
    except OSError as exc:  # a folder in the way, no permission, a full disk
        raise OutputError.writing(exc.filename or out, exc) from exc


def stored_detectors(store: Store, detector: str) -> list[str]:
    """The stored detector ids ``detector`` names (a name, ``name.vN`` or a full id),
    most recently used first; :class:`StoreError` when there are none, so an export
    never quietly writes nothing for a misspelt or never-run detector."""
    ref = DetectorRef.parse(detector)
    used = store.detectors()
    found = [ident for ident in used if ref.matches(ident)]
    if not found:
        raise StoreError(f"no analyses by {detector!r} in the store",
                         fix=f"stored: {', '.join(used) or 'none'}; run `propscope analyze"
                         " --db …` first")
    return found


def _export(store: Store, fmt: str, out: Path, detector: str | None,
            defuse_formulas: bool) -> int:
    if detector is not None:
        matching = stored_detectors(store, detector)
        if fmt == "semeval":  # one configuration's labels, never two mixed in one file
            detector = matching[0]
    if fmt == "semeval":
        if detector is None:
            used = store.detectors()
            if not used:
                raise StoreError("nothing in the store is analysed yet",
                                 fix="run `propscope analyze --db …` first")
            detector = used[0]
        return write.write_semeval(
            analysed(store.iter_texts(detector=detector, analysed_only=True)), out)
    out.parent.mkdir(parents=True, exist_ok=True)
    items = store.iter_texts(detector=detector)
    if fmt == "parquet":
        return write.write_parquet(write.span_rows(analysed(items)), out)
    with out.open("w", encoding="utf-8", newline="") as handle:
        if fmt == "jsonl":
            return write.write_jsonl(map(write.stored_record, items), handle)
        return write.write_csv(write.span_rows(analysed(items)), handle,
                               defuse_formulas=defuse_formulas)
