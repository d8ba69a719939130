"""Machine-readable faces: JSON, JSON Lines, CSV, Parquet and the SemEval folder.

Why one module: ``propscope analyze`` and ``propscope export`` (and a web download)
write the same things: a document with its spans, or one row per span.  Written in
one place, the same thing has the same columns and the same escapes on every face:
JSON Lines never hold a character a line reader takes for a line end, and CSV cells
that a spreadsheet would run as a formula are defused.  The store only yields
documents and spans (:mod:`propscope.store.export` reads them a page at a time);
these writers stream, so an export of a large store runs in bounded memory.

JSON carries :meth:`AnalysedDocument.to_dict` as it is: offsets index the ``"text"``
beside them.  CSV and Parquet have one row per span (:data:`SPAN_COLUMNS`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from propscope.errors import OutputError
from propscope.model import AnalysedDocument

if TYPE_CHECKING:
    from propscope.store.base import StoredText

SPAN_COLUMNS = ("document", "url", "title", "published", "outlet", "detector", "technique",
                "start", "end", "score", "evidence", "span_text")
"""One row per span, for CSV and Parquet on every face.  ``document`` is the document's
id (a stored text's id, or the position of an input without one); ``span_text`` is
``text[start:end]`` and comes last, where a reader of a wide row looks for it."""

CSV_COLUMNS = SPAN_COLUMNS  # the name this module's CSV columns had before Parquet joined

# Characters JSON leaves raw that ``str.splitlines`` (and many line readers) take as a
# line end: NEL and the Unicode line and paragraph separators.
_LINE_BREAKERS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})

# What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection"): the
# four formula prefixes, and tab and carriage return, which some readers strip first.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# -- records and rows ---------------------------------------------------------------------
def stored_record(item: StoredText) -> dict[str, Any]:
    """The JSON shape of one stored text: the document as ``analyze`` writes it (spans
    with their text and raw offsets), its integer ``id``, every URL it was found at
    and each detector's score."""
    record = AnalysedDocument(item.document, list(item.spans), "").to_dict()
    for key in ("score", "detector", "counts"):  # per detector here: see "scores"
        del record[key]
    record["id"] = item.text_id
    record["urls"] = [
        {"url": u.url, "canonical_url": u.canonical_url, "section": u.section,
         "published": u.published.isoformat() if u.published else None, "title": u.title,
         "source": u.source}
        for u in item.urls
    ]
    record["scores"] = item.scores
    return record


def span_rows(results: Iterable[AnalysedDocument]) -> Iterator[dict[str, Any]]:
    """One row per span (:data:`SPAN_COLUMNS`) of every result, in order."""
    for number, result in enumerate(results, 1):
        doc = result.document
        for span in result.spans:
            yield {
                "document": doc.id or str(number),
                "url": doc.url,
                "title": doc.title,
                "published": doc.published.isoformat() if doc.published else None,
                "outlet": doc.outlet,
                "detector": span.detector,
                "technique": span.technique,
                "start": span.start,
                "end": span.end,
                "score": round(float(span.score), 4),
                "evidence": span.evidence,
                "span_text": result.span_text(span),
            }


def defuse(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a
    formula (``=HYPERLINK(…)``, ``+1``, ``@SUM(…)``); numbers and other text unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# -- writers ------------------------------------------------------------------------------
def jsonl_line(record: dict[str, Any]) -> str:
    """One compact JSON object and a newline, with no character inside that a line
    reader could take for a line end (see ``_LINE_BREAKERS``)."""
    return json.dumps(record, ensure_ascii=False).translate(_LINE_BREAKERS) + "\n"


def write_jsonl(records: Iterable[dict[str, Any]], handle: IO[str]) -> int:
    count = 0
    for record in records:
        handle.write(jsonl_line(record))
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], handle: IO[str], *,
              defuse_formulas: bool = True) -> int:
    """A header and ``rows`` (:data:`SPAN_COLUMNS`); return how many rows.  The score
    has four decimals.  ``defuse_formulas=False`` writes cells exactly as they are, for
    programs that read CSV rather than spreadsheets."""
    # RFC 4180 line ends: with "\r\n" as the terminator the writer quotes any field
    # holding "\r" or "\n", so a stray carriage return in evidence cannot split a row.
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(SPAN_COLUMNS)
    count = 0
    for row in rows:
        cells = [row[column] for column in SPAN_COLUMNS]
        cells[SPAN_COLUMNS.index("score")] = f"{row['score']:.4f}"
        writer.writerow([defuse(c) for c in cells] if defuse_formulas else cells)
        count += 1
    return count


def write_parquet(rows: Iterable[dict[str, Any]], path: str | Path, chunk: int = 50_000) -> int:
    """``rows`` (:data:`SPAN_COLUMNS`) as a Parquet file, ``chunk`` rows a row group;
    return how many rows.  Needs pyarrow (``pip install 'propscope[parquet]'``)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise OutputError("Parquet needs pyarrow",
                          fix="pip install 'propscope[parquet]'") from exc
    types = {"start": pa.int64(), "end": pa.int64(), "score": pa.float64()}
    schema = pa.schema([(c, types.get(c, pa.string())) for c in SPAN_COLUMNS])
    count = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(str(path), schema) as writer:
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def write_semeval(results: Iterable[AnalysedDocument], folder: str | Path) -> int:
    """A folder in the PTC layout: ``articles/article<ID>.txt``, ``labels-tc/`` (spans
    with a technique) and ``labels-si/`` (every span), one file each per document;
    ``ID`` is the document's id or its position.  Returns how many documents."""
    from propscope.semeval.formats import Label, write_labels

    folder = Path(folder)
    articles, tc, si = folder / "articles", folder / "labels-tc", folder / "labels-si"
    for sub in (articles, tc, si):
        sub.mkdir(parents=True, exist_ok=True)
    count = 0
    for count, result in enumerate(results, 1):
        article = result.document.id or str(count)
        # newline="" writes the text byte for byte, so offsets stay code points of the file.
        with (articles / f"article{article}.txt").open("w", encoding="utf-8", newline="") as f:
            f.write(result.text)
        labels = [Label(article, s.start, s.end, s.technique) for s in result.spans]
        write_labels(tc / f"article{article}.labels",
                     [x for x in labels if x.technique], with_technique=True)
        write_labels(si / f"article{article}.labels", labels, with_technique=False)
    return count


# -- whole documents as text (``propscope analyze --format``) ------------------------------
def to_json(results: Sequence[AnalysedDocument]) -> str:
    """One object for one document, an array of them for several."""
    data = results[0].to_dict() if len(results) == 1 else [r.to_dict() for r in results]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_jsonl(results: Sequence[AnalysedDocument]) -> str:
    """One compact object per line (see :func:`jsonl_line`)."""
    return "".join(jsonl_line(r.to_dict()) for r in results)


def to_csv(results: Sequence[AnalysedDocument], *, defuse_formulas: bool = True) -> str:
    """A header and one row per span (see :func:`write_csv`)."""
    out = io.StringIO()
    write_csv(span_rows(results), out, defuse_formulas=defuse_formulas)
    return out.getvalue()
