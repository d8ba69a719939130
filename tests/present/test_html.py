"""The HTML report: self-contained, layered highlights, and no way for a text to run."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from propscope.model import AnalysedDocument
from propscope.present.html import _SCRIPT, render_html, underline_colour
from propscope.techniques import TECHNIQUES, TECHNIQUES_BY_NAME

from .conftest import by_hand


class Page(HTMLParser):
    """Everything the tests look at, gathered in one pass of the stdlib parser."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.doc_texts: list[str] = []
        # Every highlight mark, with its text and the indices (into ``highlights``) of
        # the marks around it, outermost first.
        self.highlights: list[tuple[dict[str, str | None], str]] = []
        self.parents: list[tuple[int, ...]] = []
        self._script: dict[str, str | None] | None = None
        self._depth = 0  # > 0 inside div.doc-text
        self._open: list[int | None] = []  # per element inside div.doc-text
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "script":
            self._script = a
            self.scripts.append((a, ""))
        if self._depth:
            self._depth += 1
            if tag == "mark" and "hl" in (a.get("class") or "").split():
                self.parents.append(tuple(i for i in self._open if i is not None))
                self._open.append(len(self.highlights))
                self.highlights.append((a, ""))
            else:
                self._open.append(None)
        elif tag == "div" and a.get("class") == "doc-text":
            self._depth = 1
            self.doc_texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None
        if self._depth:
            self._depth -= 1
            if self._open:
                self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        if self._depth:
            self.doc_texts[-1] += data
        for i in self._open:
            if i is not None:
                attrs, text = self.highlights[i]
                self.highlights[i] = (attrs, text + data)


def test_hostile_text_is_escaped_and_never_runs(hostile: AnalysedDocument) -> None:
    html = render_html([hostile])
    page = Page(html)
    # The document's markup is text inside the report, exactly as written …
    assert page.doc_texts == [hostile.text]
    # … and no element of it made it into the page: only the report's own two scripts.
    assert [a.get("type") for a, _ in page.scripts] == ["application/json", None]
    assert not any(tag == "img" for tag, _ in page.tags)
    assert not any("onerror" in attrs for _, attrs in page.tags)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert('owned')&lt;/script&gt; &lt;img src=x" in html
    # The data block cannot be closed early by text inside it.
    data_block = page.scripts[0][1]
    assert "<" not in data_block and ">" not in data_block
    json.loads(data_block)


def test_content_security_policy_allows_only_the_reports_own_script(
    hostile: AnalysedDocument,
) -> None:
    page = Page(render_html([hostile]))
    csp = next(a["content"] for t, a in page.tags
               if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp
    digest = base64.b64encode(hashlib.sha256(page.scripts[1][1].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp


def test_self_contained(hostile: AnalysedDocument) -> None:
    page = Page(render_html([hostile]))
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        href = attrs.get("href") or ""
        assert not re.match(r"(https?:)?//", href)
    assert not any(tag in ("link", "iframe", "object", "embed") for tag, _ in page.tags)


def test_overlapping_spans_nest_with_stacked_underlines(crossing: AnalysedDocument) -> None:
    page = Page(render_html([crossing]))
    marks = [(a["data-n"], text) for a, text in page.highlights]
    # Loaded language [1] holds Slogans [2] and the first part of Doubt [3], which
    # crosses its end and so goes on in a mark of its own after it.
    assert marks == [("1", "aaaa bbbb"), ("2", "aaaa"), ("3", "bbbb"), ("3", " cccc")]
    assert page.parents == [(), (0,), (0,), ()]
    loaded, slogans, doubt = page.highlights[0][0], page.highlights[1][0], page.highlights[2][0]
    t_loaded, t_slogans = TECHNIQUES_BY_NAME["Loaded_Language"], TECHNIQUES_BY_NAME["Slogans"]
    # Each mark in its own technique's colour and underline; the outer one reaches one
    # step lower, so both underlines show under "aaaa".
    assert f"background:{t_loaded.colour}" in (loaded["style"] or "")
    assert f"background:{t_slogans.colour}" in (slogans["style"] or "")
    assert f"3px solid {underline_colour(t_loaded)}" in (loaded["style"] or "")
    assert "padding-bottom:6px" in (loaded["style"] or "")
    assert "padding-bottom:1px" in (slogans["style"] or "")
    # The inner mark's hover text names both techniques, with their numbers.
    assert slogans["data-spans"] == "0 1"
    title = slogans["title"] or ""
    assert f"[1] Loaded language: {t_loaded.definition}" in title
    assert f"[2] Slogans: {t_slogans.definition}" in title
    # Only the last part of a cut span carries its number.
    classes = [a["class"] for a, _ in page.highlights]
    assert classes == ["hl end", "hl end", "hl", "hl end"]
    assert doubt["data-spans"] == "0 2"
    assert ".hl.end::after { content: \"[\" attr(data-n) \"]\"" in render_html([crossing])


def test_close_colours_are_told_apart_by_the_underline() -> None:
    result = by_hand("authority slogans", (0, 9, "Appeal_to_Authority"), (10, 17, "Slogans"))
    authority, slogans = (a["style"] or "" for a, _ in Page(render_html([result])).highlights)
    assert "3px solid" in authority and "3px dashed" in slogans


def test_span_table_numbers_rows_and_quotes_whole_words() -> None:
    text = "Our firmly held belief is that the leaders of the Early Party betrayed us all"
    result = by_hand(text, (0, len(text), "Doubt"))
    html = render_html([result])
    row = html[html.index("<tbody>"):html.index("</tbody>")]
    assert '<td class="num">1</td>' in row
    assert "Our firmly held belief is that the leaders of the Early Party betrayed us all" in row
    long_text = " ".join(["firmly"] * 30) + " Party"
    shown = render_html([by_hand(long_text, (0, len(long_text), "Doubt"))])
    cell = re.search(r"\u201c(.*?)\u201d", shown[shown.index("<tbody>"):])
    assert cell is not None
    assert set(cell.group(1).replace(" … ", " ").split()) == {"firmly", "Party"}


def test_legend_counts_score_and_span_table(hostile: AnalysedDocument) -> None:
    html = render_html([hostile])
    assert "Name calling / labelling: 2</li>" in html
    assert "Slogans: 1</li>" in html
    assert "0.67 (2 of 3 sentences hold a span)" in html
    assert "<td>keyword: &#x27;warmongers&#x27;</td>" in html
    # The folded list of all techniques holds every definition.
    for technique in TECHNIQUES:
        assert technique.definition.replace("'", "&#x27;") in html


def test_several_documents_in_one_file() -> None:
    one = by_hand("First one.", (0, 5, "Doubt"))
    two = by_hand("Second one.", (0, 6, "Slogans"))
    page = Page(render_html([one, two]))
    assert page.doc_texts == ["First one.", "Second one."]
    assert {a["data-doc"] for a, _ in page.highlights} == {"0", "1"}


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the report's script")
def test_the_script_builds_its_tooltip_from_text_only(crossing: AnalysedDocument) -> None:
    """Run the inline script under node with a minimal DOM: hovering a piece fills the
    tooltip with each technique's name and definition, through textContent."""
    page = Page(render_html([crossing]))
    data = page.scripts[0][1]
    harness = """
    const data = __DATA__;
    const made = [];
    function el(tag) { return { tag, textContent: '', children: [], style: {},
      appendChild(c) { this.children.push(c); } }; }
    const tip = el('div');
    const handlers = {};
    const piece = { dataset: { doc: '0', spans: '0 1' },
      closest() { return this; },
      getBoundingClientRect() { return { left: 1, bottom: 2 }; } };
    global.window = { scrollX: 0, scrollY: 0 };
    global.document = {
      getElementById(id) { return id === 'tip' ? tip : { textContent: JSON.stringify(data) }; },
      addEventListener(kind, fn) { handlers[kind] = fn; },
      createElement(tag) { const e = el(tag); made.push(e); return e; },
    };
    __SCRIPT__
    handlers.mouseover({ target: piece });
    console.log(JSON.stringify({ display: tip.style.display,
      parts: tip.children.map(c => c.textContent) }));
    """.replace("__DATA__", data).replace("__SCRIPT__", _SCRIPT)
    run = subprocess.run(["node", "-e", harness], capture_output=True, text=True, timeout=30,
                         check=False)
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    assert shown["display"] == "block"
    loaded, slogans = TECHNIQUES_BY_NAME["Loaded_Language"], TECHNIQUES_BY_NAME["Slogans"]
    assert shown["parts"][0] == "[1] Loaded language (score 0.5)"
    assert shown["parts"][1].startswith(loaded.definition) and "Evidence: ev0" in shown["parts"][1]
    assert shown["parts"][2] == "[2] Slogans (score 0.5)"
    assert shown["parts"][3].startswith(slogans.definition)


def test_metadata_cannot_reorder_or_control_what_a_reader_sees() -> None:
    text = "Start \x1b]0;pwned\x07 loud words \u202eevil\u202c end"
    result = by_hand(text, (text.index("loud"), text.index("loud") + 10, "Doubt"),
                     (text.index("evil"), text.index("evil") + 4, "Slogans"))
    result.document.title = "Title \x1b]0;pwned\x07 \u202eeltit"
    result.document.url = "http://example.org/\x1b[2J\u202e"
    result.spans[0] = dataclasses.replace(result.spans[0], evidence="ev \u202e\x1b[2J")
    html = render_html([result], title="Report \u202ex")
    page = Page(html)
    outside_text = html.replace(html[html.index('<div class="doc-text">'):
                                     html.index("</div>", html.index('<div class="doc-text">'))],
                                "")
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in outside_text, repr(raw)
    assert "<h2>Title \\x1b]0;pwned\\x07 \\u202eeltit</h2>" in html
    assert "<title>Report \\u202ex</title>" in html
    assert "Source: http://example.org/\\x1b[2J\\u202e" in html
    assert "<td>ev \\u202e\\x1b[2J</td>" in html
    assert "ev \\\\u202e\\\\x1b[2J" in page.scripts[0][1]  # the tooltip's data, JSON-escaped
    # The text stays exact, offsets and all; its bidi controls are isolated, labelled.
    assert page.doc_texts == [text]
    assert [text for _, text in page.highlights] == ["loud words", "evil"]
    assert '<span class="bidi" data-u="U+202E">\u202e</span>' in html
    assert ".bidi { unicode-bidi: isolate; }" in html
