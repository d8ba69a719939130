"""Machine-readable faces: JSON, JSON Lines and CSV.

JSON and JSON Lines carry :meth:`AnalysedDocument.to_dict` as it is: offsets index
the ``"text"`` beside them.  CSV has one row per span, for spreadsheets and ``awk``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from propscope.model import AnalysedDocument

CSV_COLUMNS = ("document", "start", "end", "technique", "score", "detector", "evidence", "text")


def to_json(results: Sequence[AnalysedDocument]) -> str:
    """One object for one document, an array of them for several."""
    data = results[0].to_dict() if len(results) == 1 else [r.to_dict() for r in results]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# Characters JSON leaves raw that ``str.splitlines`` (and many line readers) take as a
# line end: NEL and the Unicode line and paragraph separators.
_LINE_BREAKERS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def to_jsonl(results: Sequence[AnalysedDocument]) -> str:
    """One compact object per line, with no character inside that a line reader could
    take for a line end (see ``_LINE_BREAKERS``)."""
    lines = [json.dumps(r.to_dict(), ensure_ascii=False).translate(_LINE_BREAKERS)
             for r in results]
    return "".join(line + "\n" for line in lines)


def to_csv(results: Sequence[AnalysedDocument]) -> str:
    """A header and one row per span; ``document`` is the id (or its position)."""
    out = io.StringIO()
    # RFC 4180 line ends: with "\r\n" as the terminator the writer quotes any field
    # holding "\r" or "\n", so a stray carriage return in evidence cannot split a row.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for number, result in enumerate(results, 1):
        name = result.document.id or str(number)
        for span in result.spans:
            writer.writerow([
                name, span.start, span.end, span.technique or "", f"{span.score:.4f}",
                span.detector, span.evidence, result.span_text(span),
            ])
    return out.getvalue()
