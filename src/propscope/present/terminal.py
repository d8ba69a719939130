"""The terminal face: the text with its spans marked, a legend, counts, the score and
a table of spans.

With colour, each span gets its technique's background colour (from
:mod:`propscope.techniques`); where spans overlap the innermost colour shows and the
stretch is underlined, and a dim ``[n]`` after each span points to row n of the table.
Without colour (``NO_COLOR``, a pipe, a file) spans are bracketed instead::

    [[imperialist warmongers]]{2:name-calling}

Brackets nest properly; a span crossed by another's edge is shown in fragments, the
first closed with ``+}`` and the next opened with ``[[+``.  Document text is always
handed to Rich as plain text, never as markup, so ``[bold]`` in an article stays
literal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from rich import box
from rich.console import Console, Group
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from propscope.model import AnalysedDocument
from propscope.present.layers import balanced_marks, pieces
from propscope.present.summary import (
    document_label,
    quote,
    score_sentence,
    technique_counts,
    technique_of,
)


def make_console(
    file: IO[str] | None = None, *, colour: bool | None = None, width: int | None = None
) -> Console:
    """A console on ``file`` (stdout by default).  ``colour=None`` lets Rich decide
    (a terminal without ``NO_COLOR``); ``False`` forces plain text.  ``width`` is for
    the tables (Rich measures a terminal, or takes 80 columns for a file)."""
    if colour is False:
        return Console(file=file, color_system=None, no_color=True, highlight=False,
                       safe_box=True, emoji=False, width=width)
    return Console(file=file, highlight=False, emoji=False, force_terminal=colour or None,
                   width=width)


def print_report(results: Sequence[AnalysedDocument], console: Console) -> None:
    """Print every document, one after the other, then a total when there are several."""
    plain = console.color_system is None
    for number, result in enumerate(results, 1):
        if len(results) > 1:
            console.print(Rule(Text(document_label(result, number)), style="bold"))
        console.print(render_text(result, plain=plain), soft_wrap=True)
        console.print()
        console.print(render_summary(result, plain=plain))
        if number < len(results):
            console.print()


def render_text(result: AnalysedDocument, *, plain: bool) -> Text:
    """The document text with its spans marked, in colour or with brackets."""
    return _bracketed(result) if plain else _coloured(result)


def _coloured(result: AnalysedDocument) -> Text:
    text = result.text
    out = Text()
    ends: dict[int, list[int]] = {}
    for i, span in enumerate(result.spans):
        ends.setdefault(span.end, []).append(i)
    for piece in pieces(len(text), result.spans):
        chunk = text[piece.start : piece.end]
        if piece.covering:
            inner = technique_of(result.spans[piece.covering[-1]])
            style = f"black on {inner.colour}"
            if len(piece.covering) > 1:
                style += " underline"
            out.append(chunk, style=style)
        else:
            out.append(chunk)
        for i in ends.get(piece.end, ()):
            out.append(f"[{i + 1}]", style="dim")
    return out


def _bracketed(result: AnalysedDocument) -> Text:
    text = result.text
    out = Text()
    at = 0
    for mark in balanced_marks(result.spans):
        out.append(text[at : mark.at])
        at = mark.at
        span = result.spans[mark.index]
        if mark.opens:
            out.append("[[+" if mark.cut else "[[", style="bold")
        else:
            tag = f"{mark.index + 1}:{technique_of(span).slug}"
            out.append(f"]]{{{tag}{'+' if mark.cut else ''}}}", style="bold")
    out.append(text[at:])
    return out


def render_summary(result: AnalysedDocument, *, plain: bool = False) -> Group:
    """Score, legend with counts (with colour swatches unless ``plain``), and the table
    of spans."""
    parts: list[Text | Table] = [
        Text.assemble(("Propaganda score: ", "bold"), score_sentence(result)),
        Text.assemble(("Detector: ", "bold"), result.detector),
    ]
    if not result.spans:
        parts.append(Text("No propaganda techniques found."))
        return Group(*parts)
    legend = Table(title="Techniques", box=box.SIMPLE, title_justify="left")
    if not plain:
        legend.add_column("colour")
    legend.add_column("technique")
    legend.add_column("spans", justify="right")
    for found, count in technique_counts(result):
        swatch = [] if plain else [Text("  ", style=f"on {found.colour}")]
        legend.add_row(*swatch, Text(found.display), str(count))
    table = Table(title="Spans", box=box.SIMPLE, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("technique")
    table.add_column("text", overflow="fold")
    table.add_column("score", justify="right")
    table.add_column("evidence", overflow="fold")
    for i, span in enumerate(result.spans, 1):
        table.add_row(
            str(i),
            Text(technique_of(span).display),
            Text(quote(result.span_text(span))),
            f"{span.score:.2f}",
            Text(span.evidence),
        )
    parts.extend([legend, table])
    return Group(*parts)
