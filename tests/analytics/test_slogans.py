"""Slogans: recurring candidate lines, their variants, first seen, new and rising."""

from __future__ import annotations

from datetime import date

from propscope.analytics.db import Fact
from propscope.analytics.lexicon import load_lexicon
from propscope.analytics.slogans import aggregate, candidate_lines, collocation


def test_candidate_lines_are_exclamations_calls_long_quotes_and_slogan_spans() -> None:
    text = ('Long live the great Juche idea!\nThe "government" of Seoul said so.\n'
            'Let us glorify the great victory with labour feats.\n'
            'People read "By our nation itself" aloud. Forward to victory.')
    lines = candidate_lines(text, [(text.index("Forward"), len(text) - 1, "Slogans")])
    assert lines == [["exclaim", "Long live the great Juche idea!"],
                     ["call", "Let us glorify the great victory with labour feats"],
                     ["quote", "By our nation itself"],
                     ["span", "Forward to victory"]]
    assert candidate_lines("") == []


def facts(*lines_by_day: tuple[str, list[str]]) -> list[Fact]:
    return [Fact(i, date.fromisoformat(day), "KCNA", [["exclaim", line] for line in lines])
            for i, (day, lines) in enumerate(lines_by_day, start=1)]


def test_recurring_units_with_variants_new_and_rising() -> None:
    lexicon = load_lexicon()
    rows = facts(
        ("2011-01-01", ["Let us defend the Kim Jong Il's red flag of Songun to the last!"]),
        ("2011-02-01", ["Defend the red flag of Songun!", "Long live Kim Jong Il!"]),
        ("2011-03-01", ["Let us defend the red flag of Songun!"]),
        ("2012-02-01", ["Impeach the traitor of the nation now!"]),
        ("2012-03-01", ["Impeach the traitor of the nation!", "Defend the red flag of Songun!"]),
        ("2012-04-01", ["Impeach the traitor of the nation!"]),
    )
    found = aggregate(rows, lexicon, since=date(2012, 1, 1))
    top = {r["text"]: r for r in found["top"]}
    flag = top["defend the red flag of songun"]
    # The first text's "defend the Kim Jong Il's red flag" is another phrase.
    assert flag["texts"] == 3 and flag["first_seen"] == "2011-02-01"
    assert "red flag of songun" in flag["variants"]
    assert top["impeach the traitor of the nation"]["first_seen"] == "2012-02-01"
    assert [r["text"] for r in found["new"]] == ["impeach the traitor of the nation"]
    # Names, titles and honorifics alone make no slogan: "Long live Kim Jong Il".
    assert not any("kim_jong_il" == r["text"] for r in found["top"])
    assert aggregate([], lexicon)["top"] == []


def test_collocation_ranks_rare_words_together_above_common_ones() -> None:
    assert collocation(("juche", "songun", "idea"), 5, 1000) > collocation(
        ("of", "the", "people"), 5, 1000)


def test_names_drop_quotations_rank_last_and_pieces_of_one_phrase_merge() -> None:
    lexicon = load_lexicon()
    rows = [Fact(i, date(2011, 1, i), "KCNA", lines) for i, lines in enumerate([
        [["exclaim", "Glory to the Korean People's Army!"],
         ["quote", "policy toward the north"], ["quote", "policy toward the north"]],
        [["exclaim", "Glory to the Korean People's Army!"], ["quote", "policy toward the north"],
         ["exclaim", "Let us defend with our very lives the Party Central Committee!"]],
        [["exclaim", "Let us defend with our very lives the Party Central Committee!"],
         ["quote", "policy toward the north"]],
    ], start=1)]
    top = aggregate(rows, lexicon)["top"]
    texts = [r["text"] for r in top]
    assert "korean people's army" not in texts  # a proper name, however frequent
    assert texts[-1] == "policy toward the north" and top[-1]["quoted"]
    defend = [r for r in top if "very lives" in r["text"]]
    assert len(defend) == 1 and defend[0]["text"].startswith("let us defend")
