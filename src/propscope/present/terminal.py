"""The terminal face: the text with its spans marked, a legend, counts, the score and
a table of spans.

With colour, each span gets its technique's background colour (from
:mod:`propscope.techniques`; a terminal of 16 colours gets a standard colour per
technique instead, see :func:`technique_style`); where spans overlap the innermost
colour shows and the stretch is underlined, and a bold ``[n]`` in the technique's
colours after each span points to row n of the table (and to the same number in the
HTML report).

Without colour (``NO_COLOR``, a pipe, a file) each span is bracketed, both brackets
numbered like footnotes, and the table below is the list of notes::

    The [¹imperialist [²warmongers]²]¹ lie.

       #  technique                 text
       1  Name calling / labelling  “imperialist warmongers”
       2  Name calling / labelling  “warmongers”

The numbers make the pairing plain even where spans nest or the document has
brackets of its own (those never carry a number).  Brackets nest properly: a span
crossed by another's edge is shown in parts, each cut marked ``⁺``
(``[¹[²aaaa]² [³bbbb]³⁺]¹[³⁺ cccc]³``: span 3 is "bbbb cccc").  A stream that cannot
carry superscripts (an ASCII pipe) gets ``[^1imperialist [^2warmongers]^2]^1``.
Document text is always handed to Rich as plain text, never as markup, so ``[bold]``
in an article stays literal, and everything that came from input (text, title, id,
URL, evidence) goes through :func:`~propscope.present.safe.printable` first, so an
escape sequence or a bidi override is shown, never obeyed.  The text is escaped piece
by piece between span edges: span offsets index the document's text, and only what is
shown changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from rich import box
from rich.color import Color
from rich.console import Console, Group
from rich.rule import Rule
from rich.style import Style
from rich.table import Table
from rich.text import Text

from propscope.model import AnalysedDocument
from propscope.present.layers import balanced_marks, pieces
from propscope.present.safe import printable
from propscope.present.summary import (
    document_label,
    quote,
    score_sentence,
    technique_counts,
    technique_of,
)
from propscope.techniques import Technique

# 16-colour terminals (TERM=xterm, the Linux console, Windows' legacy console).  Rich
# would map every light palette colour to "white" there, so each technique gets a
# standard colour of its own instead: six hues, each once bright (black text) and once
# normal (bold text), plus white and grey.  Two techniques share a hue only where they
# rarely occur near each other in the PTC training articles, and then differ in text
# colour and weight; loaded language, which occurs near every other, has a colour to
# itself.  No foreground ever equals its background.
_STANDARD: dict[str, str] = {
    "loaded-language": "black on white",
    "name-calling": "bold bright_white on bright_black",
    "repetition": "bold bright_white on red",
    "doubt": "bold black on yellow",
    "exaggeration": "black on bright_cyan",
    "fear": "bold black on green",
    "flag-waving": "black on bright_magenta",
    "causal": "bold bright_white on magenta",
    "authority": "black on bright_blue",
    "slogans": "black on bright_yellow",
    "whataboutism": "bold bright_white on blue",
    "black-and-white": "bold black on cyan",
    "cliches": "black on bright_green",
    "bandwagon": "black on bright_red",
    "propaganda": "black on white",
}

# 256-colour terminals get the palette through Rich's nearest match, which sends the
# two oranges (appeal to authority, slogans) to the same entry; these keep them apart.
_EIGHT_BIT: dict[str, int] = {"authority": 216, "slogans": 208}

_BLACK = Color.parse("#000000")

MARK = Style(bold=True, meta={"propscope": "mark"})
"""The style of everything the report adds to a document's text (numbers, brackets):
bold, and tagged in its meta so a program (or a test) can tell it from the text."""


def technique_style(technique: Technique, color_system: str | None) -> Style:
    """How a span of ``technique`` looks on a terminal with ``color_system`` (Rich's
    name for it: ``"truecolor"``, ``"256"``, ``"standard"``, ``"windows"``)."""
    if color_system in ("standard", "windows"):
        return Style.parse(_STANDARD[technique.slug])
    if color_system == "256" and technique.slug in _EIGHT_BIT:
        return Style(color=_BLACK, bgcolor=Color.from_ansi(_EIGHT_BIT[technique.slug]))
    return Style(color=_BLACK, bgcolor=Color.parse(technique.colour))


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
    system = console.color_system
    plain = system is None
    for number, result in enumerate(results, 1):
        if len(results) > 1:
            label = printable(document_label(result, number), one_line=True)
            console.print(Rule(Text(label), style="bold"))
        shown = render_text(result, plain=plain, color_system=system,
                            superscript=can_show_superscripts(console.encoding))
        console.print(shown, soft_wrap=True)
        console.print()
        console.print(render_summary(result, plain=plain, color_system=system))
        if number < len(results):
            console.print()


def render_text(
    result: AnalysedDocument, *, plain: bool, color_system: str | None = "truecolor",
    superscript: bool = True,
) -> Text:
    """The document text with its spans marked, in colour (styles chosen for
    ``color_system``, see :func:`technique_style`) or with numbered brackets
    (superscript numbers unless ``superscript`` is false)."""
    if plain:
        return _bracketed(result, superscript)
    return _coloured(result, color_system)


def _coloured(result: AnalysedDocument, color_system: str | None) -> Text:
    text = result.text
    out = Text()
    ends: dict[int, list[int]] = {}
    for i, span in enumerate(result.spans):
        ends.setdefault(span.end, []).append(i)
    for piece in pieces(len(text), result.spans):
        chunk = printable(text[piece.start : piece.end])
        if piece.covering:
            inner = technique_of(result.spans[piece.covering[-1]])
            style = technique_style(inner, color_system)
            if len(piece.covering) > 1:
                style += Style(underline=True)
            out.append(chunk, style=style)
        else:
            out.append(chunk)
        for i in ends.get(piece.end, ()):
            tag = technique_style(technique_of(result.spans[i]), color_system)
            out.append(f"[{i + 1}]", style=tag + MARK)
    return out


_SUPERSCRIPT = str.maketrans("0123456789+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺")


def can_show_superscripts(encoding: str) -> bool:
    """Whether a stream in ``encoding`` can carry the superscript numbers; an ASCII
    or Latin-1 pipe gets ``[^1…]^1`` instead (``^`` standing for "superscript")."""
    try:
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _bracketed(result: AnalysedDocument, superscript: bool = True) -> Text:
    text = result.text
    out = Text()
    at = 0
    for mark in balanced_marks(result.spans):
        out.append(printable(text[at : mark.at]))
        at = mark.at
        number = f"{mark.index + 1}{'+' if mark.cut else ''}"
        number = number.translate(_SUPERSCRIPT) if superscript else f"^{number}"
        out.append(f"[{number}" if mark.opens else f"]{number}", style=MARK)
    out.append(printable(text[at:]))
    return out


def render_summary(
    result: AnalysedDocument, *, plain: bool = False, color_system: str | None = "truecolor"
) -> Group:
    """Score, legend with counts (with colour swatches unless ``plain``), and the table
    of spans."""
    parts: list[Text | Table] = [
        Text.assemble(("Propaganda score: ", "bold"), score_sentence(result)),
        Text.assemble(("Detector: ", "bold"), printable(result.detector, one_line=True)),
    ]
    if result.document.url:
        parts.append(Text.assemble(("Source: ", "bold"),
                                   printable(result.document.url, one_line=True)))
    if not result.spans:
        parts.append(Text("No propaganda techniques found."))
        return Group(*parts)
    legend = Table(title="Techniques", box=box.SIMPLE, title_justify="left")
    if not plain:
        legend.add_column("colour")
    legend.add_column("technique")
    legend.add_column("spans", justify="right")
    for found, count in technique_counts(result):
        swatch = [] if plain else [Text("  ", style=technique_style(found, color_system))]
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
            Text(printable(quote(result.span_text(span)), one_line=True)),
            f"{span.score:.2f}",
            Text(printable(span.evidence, one_line=True)),
        )
    parts.extend([legend, table])
    return Group(*parts)
