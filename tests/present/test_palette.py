"""The technique colours: readable text on every highlight, and no two techniques that
a reader (also one with red-green colour blindness) could take for each other."""

from __future__ import annotations

import io
from itertools import combinations

import numpy as np
import pytest
from rich.console import Console
from rich.text import Text

from propscope.present.html import underline_colour, underline_style
from propscope.present.summary import NO_TECHNIQUE
from propscope.present.terminal import technique_style
from propscope.techniques import TECHNIQUES, TECHNIQUES_BY_NAME

from .colour_science import ciede2000, contrast, distance

VISIONS = ("normal", "deuteranopia", "protanopia")
LOADED = TECHNIQUES_BY_NAME["Loaded_Language"]


def test_the_colour_arithmetic_matches_published_values() -> None:
    # Sharma, Wu and Dalal (2005), table 1, pairs 1, 7, 17 and 25.
    for lab1, lab2, expected in [
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ]:
        assert ciede2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-3)
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("technique", TECHNIQUES, ids=lambda t: t.slug)
def test_text_on_every_highlight_meets_wcag_aa(technique) -> None:
    # The report's text colour is #111; the terminal's is black.
    assert contrast(technique.colour, "#111111") >= 4.5
    assert contrast(technique.colour, "#000000") >= 4.5


@pytest.mark.parametrize("technique", TECHNIQUES, ids=lambda t: t.slug)
def test_every_highlight_stands_out_from_the_page(technique) -> None:
    # The old causal yellow #fdffb6 was ΔE00 20 from white yet near invisible: CIEDE2000
    # weighs pale yellow chroma lightly, so a luminance step is asked for as well.
    assert contrast(technique.colour, "#ffffff") >= 1.25
    for vision in VISIONS:
        assert distance(technique.colour, "#ffffff", vision) >= 12
    # The underline is a non-text element: WCAG 1.4.11 asks 3:1 against the page.
    assert contrast(underline_colour(technique), "#ffffff") >= 3


def test_no_two_techniques_look_alike() -> None:
    for a, b in combinations(TECHNIQUES, 2):
        assert distance(a.colour, b.colour) >= 8, (a.slug, b.slug)
        for vision in VISIONS[1:]:
            assert distance(a.colour, b.colour, vision) >= 6.5, (a.slug, b.slug, vision)


def test_close_colours_differ_in_underline_style() -> None:
    """What colour alone cannot separate for every reader, the underline does."""
    for a, b in combinations(TECHNIQUES, 2):
        if min(distance(a.colour, b.colour, v) for v in VISIONS) < 10:
            assert underline_style(a) != underline_style(b), (a.slug, b.slug)


def test_loaded_language_is_far_from_every_other() -> None:
    # It occurs near nearly every other technique in the PTC articles.
    for other in TECHNIQUES[1:]:
        for vision in VISIONS:
            assert distance(LOADED.colour, other.colour, vision) >= 11, other.slug


def rendered(system: str, technique) -> str:
    """The escape sequence a console of ``system`` writes for a span of ``technique``."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=system)  # type: ignore[arg-type]
    console.print(Text("x", style=technique_style(technique, system)), end="")
    return out.getvalue()


@pytest.mark.parametrize("system", ["standard", "256", "truecolor"])
def test_every_technique_looks_different_on_every_terminal(system: str) -> None:
    seen = {rendered(system, t): t.slug for t in TECHNIQUES}
    assert len(seen) == len(TECHNIQUES)


def test_sixteen_colours_never_white_on_white() -> None:
    for technique in (*TECHNIQUES, NO_TECHNIQUE):
        style = technique_style(technique, "standard")
        assert style.color is not None and style.bgcolor is not None
        assert style.bgcolor.is_system_defined and style.color.is_system_defined
        assert style.color.number != style.bgcolor.number
        assert {style.color.name, style.bgcolor.name} not in (
            {"white", "bright_white"}, {"black", "bright_black"})
    # Loaded language occurs near every other technique: its background is its own.
    backgrounds = [technique_style(t, "standard").bgcolor.name.removeprefix("bright_")
                   for t in TECHNIQUES]
    assert backgrounds.count(backgrounds[0]) == 1


def test_a_sixteen_colour_terminal_gets_the_sixteen_colour_styles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TERM=xterm: Rich picks its standard system, and the report follows it."""
    from propscope.present.terminal import make_console, print_report

    from .conftest import by_hand

    for name in ("COLORTERM", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm")
    out = io.StringIO()
    console = make_console(out, colour=True)
    assert console.color_system == "standard"
    print_report([by_hand("aaaa bbbb", (0, 4, "Loaded_Language"), (5, 9, "Doubt"))], console)
    text = out.getvalue()
    assert "\x1b[30;47m" in text  # loaded language: black on white
    assert "\x1b[1;30;43m" in text  # doubt: bold black on yellow
