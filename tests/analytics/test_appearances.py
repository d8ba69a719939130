"""Appearances: the leader's public activity, its day and place, officials in order."""

from __future__ import annotations

from datetime import date

import pytest

from propscope.analytics.appearances import Appearance, find_appearance, resolve_day
from propscope.analytics.leaders import find_mentions
from propscope.analytics.lexicon import Lexicon, load_lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def appearance(text: str, lexicon: Lexicon, day: date = date(2012, 5, 25)
               ) -> Appearance | None:
    return find_appearance(text, find_mentions(text, lexicon, day), lexicon, day)


def test_inspection_with_officials_in_order_and_shared_titles(lexicon: Lexicon) -> None:
    found = appearance(
        "Supreme Commander of the Korean People's Army Kim Jong Il, general secretary of the "
        "Workers' Party of Korea, inspected KPA unit 4304.\nHe was accompanied by Jang Song "
        "Thaek, vice-chairman of the NDC, Pak To Chun and Kim Phyong Hae, secretaries of the "
        "C.C., the WPK, and KPA General Hyon Chol Hae.\nHe was greeted on the spot by Ri Yong "
        "Gil, chief of the General Staff.", lexicon, date(2011, 10, 19))
    assert (found.person, found.event, found.place) == ("kim-jong-il", "inspection",
                                                        "KPA unit 4304")
    accompanied = [o for o in found.officials if o.role == "accompanied"]
    assert [o.name for o in accompanied] == ["Jang Song Thaek", "Pak To Chun",
                                             "Kim Phyong Hae", "Hyon Chol Hae"]
    assert [o.position for o in accompanied] == [1, 2, 3, 4]
    assert accompanied[1].title == accompanied[2].title == "secretaries of the C.C., the WPK"
    assert accompanied[3].title.startswith("KPA General")
    greeted = [o for o in found.officials if o.role == "greeted"]
    assert [(o.name, o.position) for o in greeted] == [("Ri Yong Gil", 1)]


def test_day_named_in_the_sentence_wins_over_the_story_date(lexicon: Lexicon) -> None:
    found = appearance("Pyongyang, May 25 (KCNA) -- The dear respected Comrade Kim Jong Un "
                       "visited the Kaeson Youth Park Funfair on May 24.", lexicon)
    assert (found.event, found.day, found.place) == ("visit", date(2012, 5, 24),
                                                     "the Kaeson Youth Park Funfair")
    # 2011-11-03 was a Thursday; "on Tuesday" is two days before.
    assert resolve_day("He came on Tuesday.", date(2011, 11, 3)) == date(2011, 11, 1)
    assert resolve_day("He came on Jan. 3.", date(2012, 1, 5)) == date(2012, 1, 3)
    assert resolve_day("He came on Dec. 30.", date(2012, 1, 5)) == date(2011, 12, 30)
    assert resolve_day("He came on Feb. 31.", date(2012, 3, 5)) == date(2012, 3, 5)
    assert resolve_day("He came.", None) is None


@pytest.mark.parametrize(
    "text",
    [
        # a recollection, not an appearance of the day
        ("One day in January, Juche 105 (2016) the respected Comrade Kim Jong Un visited the "
        "Pyongyang Textile Mill."),
        # the leader as object, and the passive
        "All the people extend greetings to the respected Comrade Kim Jong Un who visited it.",
        "Workers of the shop recently visited by Kim Jong Il are weeping.",
        # mail, not a visitor
        "Kim Jong Un received a congratulatory message from the Lao President.",
        # no activity verb
        "Kim Jong Un sent a wreath to the funeral.",
        "",
    ],
)
def test_not_appearances(lexicon: Lexicon, text: str) -> None:
    assert appearance(text, lexicon) is None


@pytest.mark.parametrize(
    ("headline", "event", "place"),
    [("Secy. Kim Jong Il inspects KPA unit 938", "inspection", "KPA unit 938"),
     ("Kim Jong Il Gives Field Guidance to Mines and Co-op Farms", "field guidance",
      "Mines and Co-op Farms"),
     ("Kim Jong Un Visits Mt. Myohyang Children's Camp", "visit",
      "Mt. Myohyang Children's Camp"),
     ("G.S. Kim Jong Il inspects KPA unit no. 224.", "inspection", "KPA unit no. 224")],
)
def test_headlines_in_any_case_and_tense(lexicon: Lexicon, headline: str, event: str, place: str
                                         ) -> None:
    found = appearance(headline, lexicon, date(2005, 1, 1))
    assert (found.event, found.place) == (event, place)


@pytest.mark.parametrize(
    "text",
    [("The Nepalese paper Nepal Today on August 3 carried an article on his activities.\n"
     "Kim Jong Un visited the Ministry of State Security."),
     "Kim Jong Un gave field guidance to the park several times, the article said."],
)
def test_activities_others_report_are_not_appearances(lexicon: Lexicon, text: str) -> None:
    assert appearance(text, lexicon) is None


def test_the_day_comes_from_the_lead_not_the_headline_before_it() -> None:
    """Ingestion keeps the headline as the first paragraph; it names the activity but
    not its day, so the lead sentence (with "on July 16") is read first."""
    from datetime import date as day

    from propscope.analytics.appearances import find_appearance
    from propscope.analytics.leaders import find_mentions
    from propscope.analytics.lexicon import load_lexicon

    lexicon = load_lexicon(["dprk"])
    text = ("Respected Comrade Kim Jong Un Gives Field Guidance at Fish Farm\n\n"
            "Pyongyang, July 18 (KCNA) -- Kim Jong Un gave field guidance at a fish farm "
            "on July 16. He was accompanied by Jo Yong Won.")
    found = find_appearance(text, find_mentions(text, lexicon), lexicon, day(2024, 7, 18))
    assert found is not None and found.day == day(2024, 7, 16)
