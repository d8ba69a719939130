"""Page furniture in plain text: set apart from the body, never lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.text.furniture import furniture_kind, split_furniture
from propscope.text.normalise import normalise

BODY_1 = "The delegation arrived in the capital on Monday and was greeted at the airport."
BODY_2 = "Talks on trade and culture went on for three days, the agency said."


def _page(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_header_and_footer_furniture_is_set_apart() -> None:
    text = _page(
        "Skip to main content",
        "Delegation Visits Capital",
        "Officials greet the delegation at the airport",
        "Delegation Visits Capital",
        BODY_1,
        "",
        BODY_2,
        "Share on Facebook | Twitter | WhatsApp",
        "© 2024 Example News. All rights reserved.",
        "We use cookies to improve your experience. By continuing you accept our policy.",
    )
    layout = split_furniture(text)
    assert layout.text == BODY_1 + "\n\n" + BODY_2
    assert layout.title == "Delegation Visits Capital"
    assert layout.parts["skip_links"] == ["Skip to main content"]
    assert layout.parts["title_line"] == ["Delegation Visits Capital"] * 2
    assert layout.parts["caption"] == ["Officials greet the delegation at the airport"]
    assert layout.parts["share_bar"] == ["Share on Facebook | Twitter | WhatsApp"]
    assert layout.parts["copyright"] == ["© 2024 Example News. All rights reserved."]
    assert len(layout.parts["cookie_notice"]) == 1


def test_body_offsets_map_back_into_the_input() -> None:
    text = _page(
        "Skip links", "A Title", BODY_1, "Photo: KCNA", BODY_2, "🍪 This site uses cookies."
    )
    layout = split_furniture(text)
    assert layout.text == BODY_1 + "\n" + BODY_2
    assert layout.parts["caption"] == ["Photo: KCNA"]
    for i, char in enumerate(layout.text):
        if char != "\n":
            assert text[layout.offset_map.to_raw(i)] == char
    start = layout.text.index("Talks")
    assert text[layout.offset_map.to_raw(start) :].startswith("Talks")


def test_a_known_title_is_matched_not_guessed() -> None:
    text = _page("Delegation Visits Capital", BODY_1)
    layout = split_furniture(text, title="Delegation visits capital")
    assert layout.parts == {"title_line": ["Delegation Visits Capital"]}
    assert layout.title is None  # the caller's title stands; none was guessed


def test_byline_and_dateline_are_kept_apart_as_such() -> None:
    text = _page("A Headline Here", "By Jane Roe", "March 3, 2024", BODY_1)
    layout = split_furniture(text)
    assert layout.parts["byline"] == ["By Jane Roe"]
    assert layout.parts["dateline"] == ["March 3, 2024"]
    assert layout.text == BODY_1


def test_prose_that_mentions_cookies_or_sharing_stays() -> None:
    text = _page(
        "The bakery sold cookies and bread to the workers, who share the idea of plenty.",
        "All the people should become loyalists who share the idea, intention and will.",
    )
    layout = split_furniture(text)
    assert layout.text == text
    assert layout.parts == {}


def test_a_text_without_prose_keeps_its_lines() -> None:
    # No line reads as a sentence: nothing is guessed to be a header.
    text = "Short note\nAnother line"
    assert split_furniture(text).text == text


def test_a_page_of_furniture_only_is_kept_whole() -> None:
    text = "Skip links\nThis website uses cookies to improve your experience."
    layout = split_furniture(text)
    assert layout.text == text
    assert layout.parts == {}


def test_empty_text() -> None:
    layout = split_furniture("")
    assert layout.text == "" and layout.parts == {}


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Skip links", "skip_links"),
        ("skip to content", "skip_links"),
        ("Jump to navigation", "skip_links"),
        ("This website uses cookies to improve your web experience.", "cookie_notice"),
        ("Accept all", "cookie_notice"),
        ("Share this article", "share_bar"),
        ("Facebook Twitter LinkedIn Email Print", "share_bar"),
        ("(Photo: Reuters)", "caption"),
        ("The share price fell on Monday as traders sold.", None),
        ("Skip links to the past are many in this novel.", None),
    ],
)
def test_furniture_kind(line: str, kind: str | None) -> None:
    assert furniture_kind(line) == kind


def test_wpk_example_page(wpk_example: Path) -> None:
    raw = wpk_example.read_text(encoding="utf-8")
    layout = split_furniture(normalise(raw).text)
    assert layout.parts["skip_links"] == ["Skip links"]
    assert layout.title == "WPK, Banner of Victory"
    assert layout.parts["caption"] == [
        "President Kim Il Sung and Chairman Kim Jong Il inspect the Tower of the Juche Idea"
    ]
    assert layout.parts["cookie_notice"] == [
        "🍪 This website uses cookies to improve your web experience."
    ]
    assert layout.text.startswith("The Workers' Party of Korea organizes")
    assert layout.text.endswith("the center of leadership and unity.")


def test_without_header_guessing_only_the_title_repeat_goes() -> None:
    text = _page("Delegation Visits Capital", "A subtitle without a full stop", BODY_1)
    layout = split_furniture(text, title="Delegation Visits Capital", guess_header=False)
    assert layout.parts == {"title_line": ["Delegation Visits Capital"]}
    assert layout.text == "A subtitle without a full stop\n" + BODY_1
