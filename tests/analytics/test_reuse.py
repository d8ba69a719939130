"""Reused passages: found across texts without comparing all pairs, first copy, lag."""

from __future__ import annotations

from datetime import date

from propscope.analytics.db import Fact, TextRow
from propscope.analytics.lexicon import load_lexicon
from propscope.analytics.reuse import aggregate, extract, passages

TALKING_POINT = ("The reckless joint military drills staged by the warmongers in the skies "
                 "above the peninsula are a dangerous provocation that may spark a nuclear war "
                 "at any moment.")


OPENINGS = [
    ("Farmers of a cooperative in the north finished threshing rice early this autumn and "
    "sent the grain to the state granary on carts decorated with flags."),
    ("A new swimming pool opened in the capital, where children of the district splash in "
    "warm water under glass roofs built by young volunteers last spring."),
    ("Scientists at a university laboratory reported progress in growing mushrooms on "
    "straw, a method which they say can feed rabbits and goats in winter."),
    ("Coal miners in a mountain town overfulfilled the monthly plan by a wide margin and "
    "held a sports meet on the playground beside the pithead baths."),
]


def story(i: int, body: str) -> str:
    return f"{OPENINGS[i - 1]}\n{body}"


def facts(*bodies: tuple[str, str]) -> list[Fact]:
    lexicon = load_lexicon()
    out = []
    for i, (day, body) in enumerate(bodies, start=1):
        row = TextRow(i, story(i, body), None, date.fromisoformat(day), "KCNA")
        out.append(Fact(i, row.published, "KCNA", extract(row, lexicon)))
    return out


def test_a_passage_reused_in_other_stories_is_found_with_first_copy_and_lag() -> None:
    edited = TALKING_POINT.replace("reckless", "frantic")  # lightly edited
    found = aggregate(facts(("2024-03-05", TALKING_POINT), ("2024-03-01", TALKING_POINT),
                            ("2024-03-09", edited), ("2024-03-02", ("Nothing in common here "
                                                     "with the other reports, only a plain "
                                                     "note on the weather and the rain."))))
    assert len(found) == 1
    reused = found[0]
    assert reused["kind"] == "reused" and reused["copies"] == 3
    assert reused["first"] == {"text_id": 2, "day": "2024-03-01",
                               "start": reused["first"]["start"], "end": reused["first"]["end"]}
    assert [(c["text_id"], c["lag_days"]) for c in reused["copies_at"]] == [(1, 4), (3, 8)]
    assert reused["max_lag_days"] == 8


def test_the_same_story_filed_twice_is_told_apart() -> None:
    lexicon = load_lexicon()
    text = story(1, TALKING_POINT)
    rows = [TextRow(i, text + suffix, None, date(2024, 3, i), "KCNA")
            for i, suffix in ((1, ""), (2, " -0-"))]
    found = aggregate([Fact(r.text_id, r.published, "KCNA", extract(r, lexicon)) for r in rows])
    assert [r["kind"] for r in found] == ["same story", "same story"]
    mixed = aggregate(facts(("2024-03-01", TALKING_POINT), ("2024-03-02", TALKING_POINT)))
    assert [r["kind"] for r in mixed] == ["reused"]  # other openings: different stories


def test_short_and_empty_texts_have_no_passages() -> None:
    assert passages("") == []
    assert passages("Too short.\nAlso short.") == []
    assert aggregate([]) == []
