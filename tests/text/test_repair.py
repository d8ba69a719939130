"""Fused-word repair: the spaces a scrape lost around names and inline markup."""

from __future__ import annotations

import pytest

from propscope.text.repair import NameLexicon, is_word, name_candidates, repair


def _inserted(result) -> list[int]:
    """Offsets in the repaired text of the spaces the repair put in."""
    return [r.offset + k for k, r in enumerate(result.repairs)]


def assert_map_exact(original: str, result) -> None:
    """Every character but an inserted space maps back to the same character."""
    inserted = set(_inserted(result))
    for i, char in enumerate(result.text):
        if i in inserted:
            assert char == " "
            continue
        assert original[result.offset_map.to_raw(i)] == char


@pytest.mark.parametrize(
    ("fused", "expected"),
    [
        ("Kim Jong Ildeveloped the WPK.", "Kim Jong Il developed the WPK."),
        ("the party of Kim Il Sungand Kim Jong Il", "the party of Kim Il Sung and Kim Jong Il"),
        (
            "the respected ComradeKim Jong Uninvited labor innovators",
            "the respected Comrade Kim Jong Un invited labor innovators",
        ),
        ("sent byKim Jong Unto labor innovators", "sent by Kim Jong Un to labor innovators"),
        ("He said thatKim Jong Un, too, was there.", "He said that Kim Jong Un, too, was there."),
        ("Kim Jong Unmet the delegates.", "Kim Jong Un met the delegates."),
        ("Kim Jong Uninspected the farm.", "Kim Jong Un inspected the farm."),
        ("Comrades Kim Il SungandKim Jong Il", "Comrades Kim Il Sung and Kim Jong Il"),
        ("students of Kim Il SungUniversity", "students of Kim Il Sung University"),
        ("On April 15Kim Il Sung was born.", "On April 15 Kim Il Sung was born."),
    ],
)
def test_leaders_names_are_split_off_their_neighbours(fused: str, expected: str) -> None:
    result = repair(fused)
    assert result.text == expected
    assert_map_exact(fused, result)


@pytest.mark.parametrize(
    "text",
    [
        "Peace be unto you, said the uninvited guest.",
        "He moved to Ilsan, a new town north of Seoul.",
        "The Committee for the Peaceful Reunification of the Country met.",
        "Unification is the wish of the nation.",
        "Kim Il Sungism is the guiding idea.",  # a suffix, not a word: stays whole
        "The Kimilsungia and Kimjongilia flowers bloomed.",
        "Kim Jong Un's speech was broadcast.",
    ],
)
def test_words_that_only_look_fused_stay_whole(text: str) -> None:
    result = repair(text)
    assert result.text == text
    assert result.repairs == ()
    assert result.offset_map.is_identity()


def test_a_fused_tail_that_is_no_word_is_left_alone() -> None:
    # "xqzt" is not a word: without evidence nothing is split.
    assert repair("Kim Jong Unxqzt came.").text == "Kim Jong Unxqzt came."


def test_markup_hints_split_only_where_the_join_is_not_a_word() -> None:
    text = "Chairman Kim Jong Ildeveloped boldtext and unbelievable Word"
    hints = [
        text.index("developed"),  # </b>developed
        text.index("text"),  # <strong>bold</strong>text
        text.index("believable"),  # un<i>believ</i>able: joins to a word
        text.index("ord"),  # <b>W</b>ord: joins to a word
    ]
    result = repair(text, hints=hints)
    assert result.text == "Chairman Kim Jong Il developed bold text and unbelievable Word"
    assert [r.rule.split(":")[0] for r in result.repairs] == ["markup", "markup"]
    assert_map_exact(text, result)


def test_hints_outside_words_or_out_of_range_do_nothing() -> None:
    text = "A plain sentence, nothing fused."
    assert repair(text, hints=[0, 1, 7, 16, 999, -3]).text == text


def test_a_name_learned_from_the_corpus_is_split_off() -> None:
    lexicon = NameLexicon()
    lexicon.learn_all(["Pak Thae Song spoke.", "Then Pak Thae Song left."])
    assert "Pak Thae Song" in lexicon.names()
    result = repair("the speech byPak Thae Songwas heard", lexicon=lexicon)
    assert result.text == "the speech by Pak Thae Song was heard"


def test_a_name_seen_once_elsewhere_is_not_yet_known() -> None:
    lexicon = NameLexicon(min_count=2)
    lexicon.learn("Pak Thae Song spoke.")
    assert "Pak Thae Song" not in lexicon.names()
    assert repair("byPak Thae Songwas", lexicon=lexicon).text == "byPak Thae Songwas"


def test_a_name_standing_alone_in_the_same_document_is_evidence() -> None:
    text = "Choe Son Hui arrived. Talks withChoe Son Huiended late."
    assert repair(text).text == "Choe Son Hui arrived. Talks with Choe Son Hui ended late."


def test_learned_names_keep_a_join_that_is_itself_a_word() -> None:
    # "United States" is learned, but "Statesman" is a word: no split for a learned name.
    lexicon = NameLexicon().learn_all(["United States", "the United States again"])
    assert repair("a United Statesman spoke", lexicon=lexicon).text == "a United Statesman spoke"


def test_fused_capital_runs_are_not_learned_as_names() -> None:
    lexicon = NameLexicon(min_count=1)
    lexicon.learn("Kim Jong Ildeveloped the party. Kim Jong Il led it.")
    assert "Kim Jong Ildeveloped" not in lexicon.names()
    assert "Kim Jong Il" in lexicon.names()


def test_name_candidates_trim_titles_and_function_words() -> None:
    found = name_candidates("The respected Comrade Kim Jong Un visited. When Pak Jong Chon spoke")
    assert "Kim Jong Un" in found
    assert "Pak Jong Chon" in found
    assert not any(name.startswith(("Comrade", "The", "When")) for name in found)


def test_learning_while_repairing() -> None:
    lexicon = NameLexicon(min_count=1)
    repair("Ri Il Hwan spoke first.", lexicon=lexicon, learn=True)
    assert repair("thenRi Il Hwanspoke", lexicon=lexicon).text == "then Ri Il Hwan spoke"


def test_is_word_uses_wordfreq() -> None:
    assert is_word("developed") and is_word("Comrade") and is_word("uninvited")
    assert not is_word("Ildeveloped") and not is_word("Sungand")


def test_empty_and_unfused_text() -> None:
    assert repair("").text == ""
    plain = "Nothing here is fused at all."
    assert repair(plain).offset_map.is_identity()


def test_a_name_glued_to_a_comma_gets_its_space() -> None:
    text = "After a while,Kim Jong Uninstructed the officials; Mr.Kim Jong Un"
    result = repair(text)
    assert result.text == "After a while, Kim Jong Un instructed the officials; Mr.Kim Jong Un"
    assert_map_exact(text, result)


def test_a_single_letter_or_rare_word_is_no_evidence_for_a_learned_name() -> None:
    # A misspelt standalone "Mojgan Daneshman" must not cut "Daneshmand" into "… d".
    text = "Mojgan Daneshman spoke. Later Mojgan Daneshmand and Pedram Mousavi posed."
    assert repair(text).text == text


def test_the_lexicon_forgets_rare_candidates_past_its_bound() -> None:
    lexicon = NameLexicon(min_count=2)
    lexicon.max_tracked = 3
    lexicon.learn_all(["Ri Il Hwan spoke.", "Ri Il Hwan left.", "Ann Lee", "Bo Chan", "Cy Dow"])
    assert "Ri Il Hwan" in lexicon.names()
    assert set(lexicon.counts) == {"Ri Il Hwan"}
