"""Every face, on any text with any spans: nothing breaks, nothing leaves the text."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.style import Style
from rich.text import Text

from propscope.model import AnalysedDocument, Document, Span
from propscope.present.export import to_csv, to_json, to_jsonl
from propscope.present.html import render_html
from propscope.present.safe import printable
from propscope.present.terminal import MARK, make_console, print_report, render_text
from propscope.techniques import TECHNIQUE_NAMES
from propscope.text.normalise import normalise
from propscope.text.segment import sentences

from .test_html import Page


@st.composite
def documents(draw: st.DrawFn) -> AnalysedDocument:
    raw = draw(st.text(min_size=1, max_size=80) | st.sampled_from(
        ["<script>alert(1)</script>", "a]]{1:doubt}b [[c", "[red]x[/red] &amp; \u2028y",
         "a\u202eb\u2066c"]))
    text = normalise(raw).text or "x"
    n = len(text)
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n)), max_size=6))
    techniques = st.sampled_from([*TECHNIQUE_NAMES, None])
    spans = [Span(s, min(n, s + k), draw(techniques), score=draw(st.floats(0, 1)),
                  evidence=draw(st.text(max_size=10)))
             for s, k in pairs]
    return AnalysedDocument(Document(text=text, id="h"), spans, "h.v1", 0.0, sentences(text))


def unstyled(shown: Text) -> str:
    """``shown`` without the marks the report added (styled with ``MARK``'s meta)."""
    keep = [True] * len(shown.plain)
    for span in shown.spans:
        if isinstance(span.style, Style) and span.style.meta == MARK.meta:
            keep[span.start:span.end] = [False] * (span.end - span.start)
    return "".join(c for c, k in zip(shown.plain, keep, strict=True) if k)


@settings(max_examples=150, deadline=None)
@given(documents())
def test_every_face_keeps_the_text_and_the_offsets(result: AnalysedDocument) -> None:
    text = result.text
    # Marks carry MARK's meta (brackets, numbers); the document's own text never does,
    # and it is shown through printable() (escaping one character at a time, so
    # escaping piece by piece between span edges adds up to escaping the whole).
    shown = printable(text)
    assert unstyled(render_text(result, plain=True)) == shown
    for system in ("truecolor", "256", "standard"):
        assert unstyled(render_text(result, plain=False, color_system=system)) == shown
    print_report([result], make_console(io.StringIO(), colour=False, width=100))

    page = Page(render_html([result]))
    assert page.doc_texts == [text]
    assert [a.get("type") for a, _ in page.scripts] == ["application/json", None]
    json.loads(page.scripts[0][1])

    data = json.loads(to_json([result]))
    assert json.loads(to_jsonl([result]).rstrip("\n")) == data
    assert len(to_jsonl([result]).splitlines()) == 1
    for span in data["spans"]:
        assert 0 <= span["start"] < span["end"] <= len(data["text"])
        assert data["text"][span["start"]:span["end"]] == span["text"]
    # Exact cells when asked; by default a cell a spreadsheet would run gets a quote.
    rows = list(csv.reader(io.StringIO(to_csv([result], defuse_formulas=False))))
    assert [r[-1] for r in rows[1:]] == [s["text"] for s in data["spans"]]
    defused = list(csv.reader(io.StringIO(to_csv([result]))))
    assert [r[-1] for r in defused[1:]] == [
        "'" + t if t[:1] in ("=", "+", "-", "@", "\t", "\r") else t
        for t in (s["text"] for s in data["spans"])
    ]
