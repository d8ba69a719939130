"""Export a store: JSON lines, CSV, Parquet or a SemEval/PTC folder.

Why these four: JSON lines keep everything (text, URLs, every detector's spans) for
programs; CSV and Parquet are one row per span for spreadsheets and dataframes; the
SemEval folder (``articles/`` + ``labels-tc/`` + ``labels-si/``) feeds the task's
scorer and any tool built for the PTC corpus.  All read the store a page at a time.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from propscope.detect.base import DetectorRef
from propscope.errors import OutputError, StoreError
from propscope.store.base import Store, StoredText

FORMATS = ("jsonl", "csv", "parquet", "semeval")

SPAN_COLUMNS = ("text_id", "url", "title", "published", "outlet", "detector", "technique",
                "start", "end", "span_text", "score", "evidence")


def text_record(item: StoredText) -> dict[str, Any]:
    """The JSON-lines shape of one text: the document, its URLs, scores and spans."""
    doc = item.document
    record = doc.to_dict()
    record["id"] = item.text_id
    record["urls"] = [
        {"url": u.url, "canonical_url": u.canonical_url, "section": u.section,
         "published": u.published.isoformat() if u.published else None, "title": u.title,
         "source": u.source}
        for u in item.urls
    ]
    record["scores"] = item.scores
    record["spans"] = [dict(s.to_dict(), text=doc.text[s.start : s.end]) for s in item.spans]
    return record


def span_rows(items: Iterator[StoredText]) -> Iterator[dict[str, Any]]:
    """One flat row per span, for CSV and Parquet."""
    for item in items:
        doc = item.document
        for span in item.spans:
            yield {
                "text_id": item.text_id,
                "url": doc.url,
                "title": doc.title,
                "published": doc.published.isoformat() if doc.published else None,
                "outlet": doc.outlet,
                "detector": span.detector,
                "technique": span.technique,
                "start": span.start,
                "end": span.end,
                "span_text": doc.text[span.start : span.end],
                "score": round(span.score, 4),
                "evidence": span.evidence,
            }


def export(store: Store, fmt: str, out: str | Path, *, detector: str | None = None) -> int:
    """Write the store to ``out`` in ``fmt``; return how many records (texts for jsonl
    and semeval, spans for csv and parquet).  ``detector`` keeps one detector's spans;
    SemEval needs exactly one and takes the most recently used when none is named."""
    out = Path(out)
    if fmt not in FORMATS:
        raise StoreError(f"unknown export format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    try:
        return _export(store, fmt, out, detector)
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


def _export(store: Store, fmt: str, out: Path, detector: str | None) -> int:
    if detector is not None:
        matching = stored_detectors(store, detector)
        if fmt == "semeval":  # one configuration's labels, never two mixed in one file
            detector = matching[0]
    if fmt == "semeval":
        return _export_semeval(store, out, detector)
    out.parent.mkdir(parents=True, exist_ok=True)
    items = store.iter_texts(detector=detector)
    if fmt == "jsonl":
        count = 0
        with out.open("w", encoding="utf-8") as handle:
            for item in items:
                handle.write(json.dumps(text_record(item), ensure_ascii=False) + "\n")
                count += 1
        return count
    if fmt == "csv":
        count = 0
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=SPAN_COLUMNS)
            writer.writeheader()
            for row in span_rows(items):
                writer.writerow(row)
                count += 1
        return count
    return _export_parquet(items, out)


def _export_parquet(items: Iterator[StoredText], out: Path, chunk: int = 50_000) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise StoreError("Parquet export needs pyarrow",
                         fix="pip install 'propscope[parquet]'") from exc
    schema = pa.schema([
        ("text_id", pa.int64()), ("url", pa.string()), ("title", pa.string()),
        ("published", pa.string()), ("outlet", pa.string()), ("detector", pa.string()),
        ("technique", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
        ("span_text", pa.string()), ("score", pa.float64()), ("evidence", pa.string()),
    ])
    count = 0
    rows: list[dict[str, Any]] = []
    with pq.ParquetWriter(out, schema) as writer:
        for row in span_rows(items):
            rows.append(row)
            if len(rows) >= chunk:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                count += len(rows)
                rows = []
        if rows or count == 0:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            count += len(rows)
    return count


def _export_semeval(store: Store, out: Path, detector: str | None) -> int:
    from propscope.semeval.formats import Label, write_labels

    if detector is None:
        used = store.detectors()
        if not used:
            raise StoreError("nothing in the store is analysed yet",
                             fix="run `propscope analyze --db …` first")
        detector = used[0]
    articles, tc, si = out / "articles", out / "labels-tc", out / "labels-si"
    for folder in (articles, tc, si):
        folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for item in store.iter_texts(detector=detector, analysed_only=True):
        article = str(item.text_id)
        # newline="" writes the text byte for byte, so offsets stay code points of the file.
        with (articles / f"article{article}.txt").open("w", encoding="utf-8", newline="") as f:
            f.write(item.document.text)
        labels = [Label(article, s.start, s.end, s.technique) for s in item.spans]
        write_labels(tc / f"article{article}.labels",
                     [x for x in labels if x.technique], with_technique=True)
        write_labels(si / f"article{article}.labels", labels, with_technique=False)
        count += 1
    return count
