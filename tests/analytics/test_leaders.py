"""Leader mentions: one person each, with title and honorific intensity."""

from __future__ import annotations

from datetime import date

import pytest

from propscope.analytics.leaders import find_mentions
from propscope.analytics.lexicon import Lexicon, load_lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def test_fused_names_are_found_and_resolved(lexicon: Lexicon) -> None:
    text = ("Loyalty to PresidentKim Il Sungand ChairmanKim Jong Illed them, said the "
            "respected ComradeKim Jong Unin his speech.")
    found = find_mentions(text, lexicon, date(2024, 1, 2))
    assert [m.person for m in found] == ["kim-il-sung", "kim-jong-il", "kim-jong-un"]
    assert [m.surface for m in found] == ["Kim Il Sung", "Kim Jong Il", "Kim Jong Un"]
    assert found[2].honorifics == ("respected", "Comrade")
    assert found[2].intensity == 2


def test_title_and_intensity_of_each_mention(lexicon: Lexicon) -> None:
    text = ("The dear respected Comrade Kim Jong Un, general secretary of the Workers' Party "
            "of Korea, inspected a unit. Kim Jong Un then left.")
    first, second = find_mentions(text, lexicon, date(2024, 5, 1))
    assert first.title == "General Secretary"
    assert first.intensity == 3 and first.honorifics == ("dear", "respected", "Comrade")
    assert second.title is None and second.intensity == 0


def test_titles_alone_name_the_leader_of_their_period(lexicon: Lexicon) -> None:
    text = "The respected General Secretary said so."
    assert find_mentions(text, lexicon, date(2024, 3, 1))[0].person == "kim-jong-un"
    assert find_mentions(text, lexicon, date(2011, 3, 1))[0].person == "kim-jong-il"
    # Someone else's office, and a title without reverence, name no leader.
    assert find_mentions("Choummaly, the respected General Secretary of the Lao party, met.",
                         lexicon, date(2024, 3, 1)) == []
    assert find_mentions("A General Secretary spoke.", lexicon, date(2024, 3, 1)) == []


def test_institutions_and_ideologies_are_not_mentions(lexicon: Lexicon) -> None:
    text = ("Students of Kim Il Sung University study Kim Il Sungism on Kim Il Sung Square. "
            "Kim Il Sung founded the army.")
    found = find_mentions(text, lexicon)
    assert len(found) == 1 and found[0].start == text.rindex("Kim Il Sung")


def test_empty_and_unrelated_text(lexicon: Lexicon) -> None:
    assert find_mentions("", lexicon) == []
    assert find_mentions("Kimchi and Jong are words; kim jong un lower case is not a name.",
                         lexicon) == []
