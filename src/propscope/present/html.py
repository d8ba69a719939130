"""The HTML face: one self-contained file a person opens offline.

No external resource of any kind (fonts, scripts, styles, images); the styles and one
small script are inline.  Hostile text cannot run: every piece of document text goes
through :func:`html.escape`, the span data the script reads sits in a JSON block with
``<``, ``>`` and ``&`` escaped, the script builds its tooltip with ``textContent``
only, and a Content-Security-Policy allows no script but the report's own (by its
SHA-256), so even markup that slipped through escaping would not execute.  Nor can it
reorder what a reader sees: metadata (title, URL, evidence) also goes through
:func:`~propscope.present.safe.printable`, so a bidi override there is shown as
``\\u202e``; one in the document text stays (the text is exact) but is isolated in an
element of its own, where it stops at once, and labelled.

Each span is a ``<mark>`` in its technique's colour, underlined in a dark shade of it
(:data:`UNDERLINE_STYLES`), with its number ``[n]`` after it (CSS generated content, so
it is not part of the text a reader copies) matching row n of the table.  Overlapping
spans nest (:func:`~propscope.present.layers.nested`; a span crossed by another's edge
is cut in two, and only its last part carries the number): each mark reaches lower than
the marks inside it, so their underlines stack, one per technique, in each one's colour
and style.  Hovering (or focusing) a mark shows every technique covering it with its
definition, score and evidence; without the script, the same list is the mark's
``title``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from html import escape

from propscope.model import AnalysedDocument
from propscope.present.layers import Fragment, nested
from propscope.present.safe import BIDI, printable
from propscope.present.summary import (
    document_label,
    quote,
    score_sentence,
    technique_counts,
    technique_of,
)
from propscope.techniques import TECHNIQUES, Technique

UNDERLINE_STYLES: dict[str, str] = {
    "causal": "dashed",
    "slogans": "dashed",
    "whataboutism": "dotted",
    "black-and-white": "dashed",
    "cliches": "dashed",
}
"""The second channel beside colour (WCAG 1.4.1): a technique's highlight is underlined
in a dark shade of its colour, solid unless named here.  Every pair of palette colours
that a reader with red-green colour blindness could confuse (CIEDE2000 under 10, see
:mod:`propscope.techniques`) differs in underline style; tests/present/test_palette.py
holds the list to that."""


def underline_style(technique: Technique) -> str:
    return UNDERLINE_STYLES.get(technique.slug, "solid")


def underline_colour(technique: Technique) -> str:
    """The technique's colour darkened to 45%: the underline shows against its own
    highlight and against white."""
    value = technique.colour.lstrip("#")
    dark = (round(int(value[i:i + 2], 16) * 0.45) for i in (0, 2, 4))
    return "#" + "".join(f"{c:02x}" for c in dark)


_CSS = """
:root { color-scheme: light; }
body { font: 16px/1.6 Georgia, 'Times New Roman', serif; margin: 0; background: #fafafa;
       color: #111; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.25rem; margin-top: 2.5rem; }
.meta, table, .legend { font: 14px/1.4 system-ui, sans-serif; }
.doc-text { white-space: pre-wrap; background: #fff; padding: 1rem 1.25rem;
            border: 1px solid #ddd; border-radius: 6px; line-height: 2.2; }
.hl { color: inherit; cursor: help; padding: 0 1px 1px; border-bottom-width: 3px; }
.hl:focus { outline: 2px solid #333; }
.hl.end::after { content: "[" attr(data-n) "]"; font: 11px system-ui, sans-serif;
                 vertical-align: super; line-height: 0; margin-left: 1px; }
td .swatch { margin-right: .4em; }
h1, h2, td, .meta { unicode-bidi: isolate; }
.bidi { unicode-bidi: isolate; }
.bidi::after { content: "\\27E8" attr(data-u) "\\27E9"; font: 11px system-ui, sans-serif;
               color: #a00; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem .9rem; padding: 0; list-style: none; }
.swatch { display: inline-block; width: 1em; height: 1em; vertical-align: -2px;
          border: 1px solid #999; margin-right: .3em; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
#tip { position: absolute; display: none; max-width: 26rem; background: #222; color: #fff;
       font: 13px/1.4 system-ui, sans-serif; padding: .5rem .7rem; border-radius: 4px;
       z-index: 10; pointer-events: none; }
#tip b { display: block; margin-top: .3rem; } #tip b:first-child { margin-top: 0; }
details { font: 14px/1.4 system-ui, sans-serif; margin-top: 1rem; }
"""

# Reads the span data from the JSON block and shows it on hover; textContent only.
_SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('propscope-data').textContent);
  var tip = document.getElementById('tip');
  function show(el) {
    var doc = data.documents[+el.dataset.doc];
    tip.textContent = '';
    el.dataset.spans.split(' ').forEach(function (k) {
      var span = doc[+k];
      var t = data.techniques[span.technique];
      var head = document.createElement('b');
      head.textContent = '[' + (+k + 1) + '] ' + t.display + ' (score ' + span.score + ')';
      var body = document.createElement('div');
      body.textContent = t.definition + (span.evidence ? ' Evidence: ' + span.evidence : '');
      tip.appendChild(head); tip.appendChild(body);
    });
    var r = el.getBoundingClientRect();
    tip.style.left = (window.scrollX + r.left) + 'px';
    tip.style.top = (window.scrollY + r.bottom + 6) + 'px';
    tip.style.display = 'block';
  }
  function hide() { tip.style.display = 'none'; }
  // The innermost mark under the pointer or the focus: its data-spans lists every span
  // covering it, outermost first.
  function at(e) {
    var el = e.target && e.target.closest ? e.target.closest('.hl') : null;
    if (el) { show(el); } else { hide(); }
  }
  document.addEventListener('mouseover', at);
  document.addEventListener('focusin', at);
  document.addEventListener('focusout', hide);
})();
"""


def render_html(results: Sequence[AnalysedDocument], *, title: str = "propscope report") -> str:
    """One complete HTML page for ``results``."""
    script_hash = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode()
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'"
    )
    body = "\n".join(_document_section(r, n) for n, r in enumerate(results, 1))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_shown(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{_shown(title)}</h1>\n{body}\n"
        f"{_definitions()}\n</main>\n"
        '<div id="tip" role="tooltip"></div>\n'
        f'<script type="application/json" id="propscope-data">{data_json(results)}</script>\n'
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )


def _document_section(result: AnalysedDocument, number: int) -> str:
    doc = result.document
    meta = [f"Propaganda score: <strong>{escape(score_sentence(result))}</strong>",
            f"Detector: {_shown(result.detector)}"]
    if doc.url:
        meta.append(f"Source: {_shown(doc.url)}")  # shown, not linked: offline report
    return (
        f'<section id="doc-{number}">\n'
        f"<h2>{_shown(document_label(result, number))}</h2>\n"
        f'<p class="meta">{" · ".join(meta)}</p>\n'
        f"{_legend(result)}\n"
        f'<div class="doc-text">{highlighted_html(result, number - 1)}</div>\n'
        f"{_span_table(result)}\n</section>"
    )


def _shown(value: str) -> str:
    """Metadata from input (title, URL, id, detector, evidence, a quote) as HTML: on one
    line, controls and bidi overrides written out as escapes, then HTML-escaped."""
    return escape(printable(value, one_line=True))


def _doc_text(chunk: str) -> str:
    """Document text as HTML, exact (a reader copies what the document says), but each
    bidi control isolated in an element of its own, where it ends at once (UAX #9,
    rule X6a) and is named by a visible label instead of reordering what follows."""
    return BIDI.sub(
        lambda m: f'<span class="bidi" data-u="U+{ord(m.group()):04X}">{m.group()}</span>',
        escape(chunk, quote=False),
    )


def highlighted_html(result: AnalysedDocument, doc_index: int) -> str:
    """``result``'s text, every character escaped, with its spans as nested numbered
    marks (``data-n`` = the span's number); public so the workbench draws a document
    exactly as this report does.  ``doc_index`` numbers the document in the page."""
    return _marked(result, doc_index, nested(result.spans), 0, len(result.text), ())


def _marked(result: AnalysedDocument, doc_index: int, fragments: Sequence[Fragment],
            start: int, end: int, outer: tuple[int, ...]) -> str:
    """``text[start:end]`` with ``fragments`` (which lie inside it) as marks; ``outer``
    are the spans of the marks around it, outermost first."""
    text = result.text
    out: list[str] = []
    at = start
    for fragment in fragments:
        out.append(_doc_text(text[at : fragment.start]))
        out.append(_mark(result, doc_index, fragment, outer))
        at = fragment.end
    out.append(_doc_text(text[at:end]))
    return "".join(out)


# How far each level of nesting reaches below the one inside it: a 3px underline and
# 2px of the outer highlight between two underlines.
_STEP_PX = 5


def _mark(result: AnalysedDocument, doc_index: int, fragment: Fragment,
          outer: tuple[int, ...]) -> str:
    covering = (*outer, fragment.index)
    technique = technique_of(result.spans[fragment.index])
    style = f"{swatch_style(technique)};padding-bottom:{1 + _STEP_PX * (fragment.height - 1)}px"
    tip = "\n".join(
        f"[{i + 1}] {technique_of(result.spans[i]).display}: "
        f"{technique_of(result.spans[i]).definition}"
        for i in covering
    )
    classes = "hl" if fragment.continued else "hl end"
    inside = _marked(result, doc_index, fragment.children, fragment.start, fragment.end,
                     covering)
    return (
        f'<mark class="{classes}" tabindex="0" style="{style}" title="{escape(tip)}" '
        f'data-n="{fragment.index + 1}" data-doc="{doc_index}" '
        f'data-spans="{" ".join(map(str, covering))}">{inside}</mark>'
    )


def _legend(result: AnalysedDocument) -> str:
    if not result.spans:
        return '<p class="meta">No propaganda techniques found.</p>'
    items = "".join(
        f'<li title="{escape(technique.definition)}">'
        f'<span class="swatch" style="{swatch_style(technique)}"></span>'
        f"{escape(technique.display)}: {count}</li>"
        for technique, count in technique_counts(result)
    )
    return f'<ul class="legend" aria-label="Techniques found and their counts">{items}</ul>'


def swatch_style(technique: Technique) -> str:
    """The inline style of ``technique``'s colour swatch and underline (shared with
    the workbench's legend)."""
    return (f"background:{technique.colour};border-bottom:3px {underline_style(technique)} "
            f"{underline_colour(technique)}")


def _span_table(result: AnalysedDocument) -> str:
    if not result.spans:
        return ""
    rows = "".join(
        f'<tr><td class="num">{i}</td><td><span class="swatch" '
        f'style="{swatch_style(technique_of(s))}"></span>'
        f"{escape(technique_of(s).display)}</td>"
        f"<td>{_shown(quote(result.span_text(s)))}</td>"
        f'<td class="num">{s.score:.2f}</td><td>{_shown(s.evidence)}</td></tr>'
        for i, s in enumerate(result.spans, 1)
    )
    return (
        "<table><thead><tr><th>#</th><th>Technique</th><th>Text</th><th>Score</th>"
        f"<th>Evidence</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _definitions() -> str:
    """Every technique with its definition and example, folded away at the end."""
    items = "".join(
        f'<dt><span class="swatch" style="{swatch_style(t)}"></span>{escape(t.display)}'
        f"</dt><dd>{escape(t.definition)} <em>Example: {escape(t.example)}</em></dd>"
        for t in TECHNIQUES
    )
    return f"<details><summary>All 14 techniques</summary><dl>{items}</dl></details>"


def data_json(results: Sequence[AnalysedDocument]) -> str:
    """Span data for the script, safe inside ``<script>``: no ``<``, ``>`` or ``&``
    survives unescaped, so no text can close the block."""
    techniques: dict[str, Technique] = {}
    documents = []
    for result in results:
        spans = []
        for span in result.spans:
            found = technique_of(span)
            techniques[found.name] = found
            spans.append({"technique": found.name, "score": round(span.score, 2),
                          "evidence": printable(span.evidence, one_line=True)})
        documents.append(spans)
    data = {
        "documents": documents,
        "techniques": {
            name: {"display": t.display, "definition": t.definition}
            for name, t in techniques.items()
        },
    }
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
