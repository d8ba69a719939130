"""The terminal face, with and without colour."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from rich.style import Style

from propscope.model import AnalysedDocument
from propscope.present.terminal import MARK as MARK_STYLE
from propscope.present.terminal import make_console, print_report, render_text
from propscope.techniques import TECHNIQUES_BY_NAME

from .conftest import HOSTILE, by_hand

MARK = re.compile("[\\[\\]][⁰¹²³⁴⁵⁶⁷⁸⁹]+⁺?")


def plain_report(*results: AnalysedDocument) -> str:
    out = io.StringIO()
    print_report(list(results), make_console(out, colour=False, width=160))
    return out.getvalue()


def test_plain_text_numbers_both_brackets_of_each_span(hostile: AnalysedDocument) -> None:
    shown = render_text(hostile, plain=True).plain
    assert shown.startswith("The [¹imperialist [²warmongers]²]¹ lie.\n")
    assert shown.endswith("[³Let us defend the [⁴motherland]⁴ with the harvest]³!")
    # The document's own brackets carry no number.
    assert "[bold]rich markup[/bold]" in shown
    # The numbered list below: the table of spans, by the same numbers.
    report = plain_report(hostile)
    table = report[report.index("Spans"):]
    assert re.search(r"1\s+Name calling / labelling\s+\u201cimperialist warmongers\u201d", table)
    assert re.search(r"4\s+Flag-waving\s+\u201cmotherland\u201d", table)


def test_numbers_past_nine_stay_superscript() -> None:
    text = " ".join("w" * 3 for _ in range(12))
    result = by_hand(text, *((4 * i, 4 * i + 3, "Doubt") for i in range(12)))
    assert render_text(result, plain=True).plain.endswith("[¹²www]¹²")


def test_removing_the_marks_gives_back_the_text(
    hostile: AnalysedDocument, crossing: AnalysedDocument
) -> None:
    for result in (hostile, crossing):
        assert MARK.sub("", render_text(result, plain=True).plain) == result.text


def test_crossing_spans_show_as_fragments(crossing: AnalysedDocument) -> None:
    shown = render_text(crossing, plain=True).plain
    assert shown == "[¹[²aaaa]² [³bbbb]³⁺]¹[³⁺ cccc]³ dddd"


def test_document_markup_stays_literal(hostile: AnalysedDocument) -> None:
    report = plain_report(hostile)
    assert "[bold]rich markup[/bold]" in report
    assert "<script>alert('owned')</script>" in report


def test_report_has_score_legend_counts_and_span_table(hostile: AnalysedDocument) -> None:
    report = plain_report(hostile)
    assert "Propaganda score: 0.67 (2 of 3 sentences hold a span)" in report
    assert "(1 of 1 sentence holds a span)" in plain_report(by_hand("One.", (0, 3, "Doubt")))
    assert "Detector: keywords.v1" in report
    legend = report[report.index("Techniques"): report.index("Spans")]
    assert re.search(r"Name calling / labelling\s+2", legend)
    assert re.search(r"Slogans\s+1", legend)
    table = report[report.index("Spans"):]
    assert "\u201cwarmongers\u201d" in table and "keyword: 'warmongers'" in table
    assert "0.90" in table
    assert "\x1b[" not in report  # no colour codes when colour is off


def test_colour_output_uses_the_technique_colours(crossing: AnalysedDocument) -> None:
    text = render_text(crossing, plain=False)
    assert text.plain.replace("[1]", "").replace("[2]", "").replace("[3]", "") == crossing.text
    styles = {text.plain[s.start:s.end]: s.style for s in text.spans}
    loaded, doubt, slogans = (TECHNIQUES_BY_NAME[n] for n in
                              ("Loaded_Language", "Doubt", "Slogans"))
    # Slogans inside Loaded language: the inner colour, underlined.
    assert styles["aaaa"] == Style(color="#000000", bgcolor=slogans.colour, underline=True)
    assert styles[" "] == Style(color="#000000", bgcolor=loaded.colour)
    assert styles["bbbb"] == Style(color="#000000", bgcolor=doubt.colour, underline=True)
    assert styles[" cccc"] == Style(color="#000000", bgcolor=doubt.colour)
    # Each span is numbered after its end, the number in its technique's colours.
    assert text.plain == "aaaa[2] bbbb[1] cccc[3] dddd"
    assert styles["[2]"] == Style(color="#000000", bgcolor=slogans.colour) + MARK_STYLE
    assert styles["[1]"].bgcolor == Style.parse(f"on {loaded.colour}").bgcolor
    assert styles["[1]"].bold
    out = io.StringIO()
    print_report([crossing], make_console(out, colour=True))
    assert "\x1b[" in out.getvalue()


def test_no_colour_env_gives_brackets(monkeypatch: pytest.MonkeyPatch,
                                      hostile: AnalysedDocument) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "")
    out = io.StringIO()
    print_report([hostile], make_console(out))
    assert "warmongers]²]¹" in out.getvalue()
    assert "\x1b[" not in out.getvalue()


def test_a_document_without_spans() -> None:
    report = plain_report(by_hand("Nothing to see here."))
    assert "Nothing to see here." in report
    assert "No propaganda techniques found." in report


def test_several_documents_each_get_a_heading() -> None:
    one = by_hand("First text.", (0, 5, "Doubt"))
    two = by_hand("Second text.", (0, 6, "Slogans"))
    two.document.title = "The second"
    report = plain_report(one, two)
    assert "hand" in report and "The second" in report
    assert report.index("hand") < report.index("[¹First]¹ text.") < report.index("The second")
    assert report.index("The second") < report.index("[¹Second]¹ text.")


def test_hostile_input_constant_is_what_the_fixture_analysed(hostile: AnalysedDocument) -> None:
    assert hostile.text == HOSTILE


def test_a_span_without_technique_is_tagged_as_propaganda() -> None:
    result = by_hand("Plain words here.", (6, 11, None))
    assert render_text(result, plain=True).plain == "Plain [¹words]¹ here."
    assert "Propaganda (technique not named)" in plain_report(result)


def test_a_stream_without_superscripts_gets_carets(hostile: AnalysedDocument) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="replace")
    print_report([hostile], make_console(stream, colour=False, width=120))
    stream.flush()
    shown = raw.getvalue().decode("ascii")
    assert "The [^1imperialist [^2warmongers]^2]^1 lie." in shown
    assert "?" not in shown.split("\n\n")[0]


HOSTILE_CONTROLS = "\x1b]0;pwned\x07", "\x1b[2J", "\u202e"


def hostile_metadata() -> AnalysedDocument:
    """Escape sequences and a bidi override in the title, URL, id, evidence and the
    text itself, with a span after each so offsets must survive the escaping."""
    text = "Start \x1b]0;pwned\x07 loud words \x1b[2J more \u202eevil\u202c end"
    result = by_hand(text, (text.index("loud"), text.index("loud") + 10, "Doubt"),
                     (text.index("evil"), text.index("evil") + 4, "Slogans"))
    result.document.title = "Title \x1b]0;pwned\x07 \u202eeltit"
    result.document.url = "http://example.org/\x1b[2J\u202e"
    result.document.id = "id\x1b[2J"
    result.spans[0] = dataclasses.replace(result.spans[0], evidence="ev \x1b]0;pwned\x07")
    return result


def raw_controls_in(output: str) -> list[str]:
    # Rich writes its own SGR codes ("\x1b[...m") in colour; none of the document's
    # sequences may survive, raw, next to them.
    return [c for c in HOSTILE_CONTROLS if c in output] + (["\x07"] if "\x07" in output else [])


@pytest.mark.parametrize("colour", [False, True])
def test_nothing_from_input_reaches_the_terminal_raw(colour: bool) -> None:
    result = hostile_metadata()
    other = by_hand("Second.", (0, 6, "Doubt"))
    out = io.StringIO()
    print_report([result, other], make_console(out, colour=colour, width=200))
    shown = out.getvalue()
    assert raw_controls_in(shown) == []
    assert "Title \\x1b]0;pwned\\x07 \\u202eeltit" in shown  # the rule over the document
    assert "http://example.org/\\x1b[2J\\u202e" in shown
    assert "ev \\x1b]0;pwned\\x07" in shown
    # The spans still mark the right words: offsets index the text, not what is shown.
    marked = render_text(result, plain=True).plain
    assert marked == ("Start \\x1b]0;pwned\\x07 [¹loud words]¹ \\x1b[2J more "
                      "\\u202e[²evil]²\\u202c end")
    assert "[1]" in render_text(result, plain=False).plain


def test_an_id_stands_in_for_a_missing_title_escaped() -> None:
    result = hostile_metadata()
    result.document.title = None
    out = io.StringIO()
    print_report([result, result], make_console(out, colour=False, width=120))
    assert "id\\x1b[2J" in out.getvalue() and "\x1b" not in out.getvalue()
