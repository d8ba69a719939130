"""Pages from templates, and a document's highlights as the HTML report draws them.

The highlighted text is the report's own (:mod:`propscope.present.html`: nested marks
from :func:`propscope.present.layers.nested`, every character escaped there), so a
span sits at the same characters on the page, in the report and in the JSON.  Jinja
escapes every other value; only the report's markup and its JSON data block (``<``,
``>`` and ``&`` escaped) are inserted as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from importlib import resources
from typing import Any

from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from propscope.model import AnalysedDocument
from propscope.pipeline import READING_MIN_SCORE
from propscope.present import html as report
from propscope.present.safe import printable
from propscope.present.summary import score_sentence, technique_counts, technique_of
from propscope.techniques import TECHNIQUES
from propscope.web.security import csrf_token, set_csrf

templates = Jinja2Templates(directory=str(resources.files("propscope.web") / "templates"))
templates.env.globals["reading_min_score"] = READING_MIN_SCORE  # the slider starts here
templates.env.filters["shown"] = lambda value: printable("" if value is None else value,
                                                         one_line=True)


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """``name`` rendered with ``context``, the CSRF token and the server's settings."""
    settings = request.app.state.settings
    full = {"csrf": csrf_token(request), "read_only": settings.read_only,
            "techniques": TECHNIQUES, **context}
    response = templates.TemplateResponse(request, name, full, status_code=status)
    set_csrf(request, response)
    return response


@dataclass(frozen=True, slots=True)
class LegendItem:
    name: str
    display: str
    definition: str
    count: int
    swatch: str


@dataclass(frozen=True, slots=True)
class SpanRow:
    number: int
    technique: str
    display: str
    swatch: str
    quote: str
    score: float
    evidence: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Highlighted:
    """What a page shows of one analysed document."""

    html: Markup
    data: Markup
    legend: list[LegendItem]
    rows: list[SpanRow]
    score: str


def highlighted(result: AnalysedDocument) -> Highlighted:
    """The report's marks, legend and span table for ``result``, for a page."""
    # present.html's marking, exactly as the offline report draws it (one renderer,
    # two faces).
    marked = report.highlighted_html(result, 0)
    data = report.data_json([result])
    legend = [
        LegendItem(t.name, t.display, t.definition, n, report.swatch_style(t))
        for t, n in technique_counts(result)
    ]
    rows = [
        SpanRow(i, technique_of(s).name, technique_of(s).display,
                report.swatch_style(technique_of(s)),
                printable(result.span_text(s), one_line=True), s.score,
                printable(s.evidence, one_line=True), s.start, s.end)
        for i, s in enumerate(result.spans, 1)
    ]
    return Highlighted(Markup(marked), Markup(data), legend, rows, score_sentence(result))


_HIT = re.compile(r"\[([^\[\]\n]{1,200})\]")


def snippet_html(snippet: str) -> Markup:
    """A search snippet (hits marked ``[word]`` by the store) as HTML: escaped first,
    then each marked hit in ``<mark>``."""
    safe = escape(printable(" ".join(snippet.split()), one_line=True), quote=True)
    return Markup(_HIT.sub(r'<mark class="hit">\1</mark>', safe))
