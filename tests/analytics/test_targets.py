"""Targets of attack: the entity each hostile span is aimed at."""

from __future__ import annotations

import pytest

from propscope.analytics.lexicon import Lexicon, load_lexicon
from propscope.analytics.targets import find_attacks


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def spans(text: str, *marked: tuple[str, str]) -> list[tuple[int, int, str]]:
    return [(text.index(word), text.index(word) + len(word), technique)
            for word, technique in marked]


def test_target_in_the_span_then_nearest_in_the_sentence(lexicon: Lexicon) -> None:
    text = ("The U.S. imperialists committed a heinous crime. The puppet traitors are doomed "
            "while Japan watches.")
    found = find_attacks(text, spans(text, ("heinous", "Loaded_Language"),
                                     ("puppet traitors", "Name_Calling,Labeling")), lexicon)
    assert [(a.target, a.label, a.where) for a in found] == [
        ("the U.S.", "heinous", "sentence"), ("south Korea", "puppet traitors", "span")]


def test_named_target_beats_generic_and_praise_attacks_no_one(lexicon: Lexicon) -> None:
    text = "The enemies and the Yankees are reckless. Our heroic army of Japan-watchers stands."
    found = find_attacks(text, spans(text, ("reckless", "Appeal_to_fear-prejudice"),
                                     ("heroic", "Loaded_Language")), lexicon)
    assert [(a.target, a.technique) for a in found] == [("the U.S.", "Appeal_to_fear-prejudice")]


def test_case_and_prefixes_keep_false_targets_out(lexicon: Lexicon) -> None:
    text = "Tell us the vile truth. The anti-Japanese heroes fought vile battles."
    assert find_attacks(text, spans(text, ("vile truth", "Loaded_Language")), lexicon) == []
    assert find_attacks(text, [(text.rindex("vile"), text.rindex("vile") + 4,
                                "Loaded_Language")], lexicon) == []


def test_other_techniques_and_no_spans_are_ignored(lexicon: Lexicon) -> None:
    text = "Long live the U.S. reckless ones!"
    assert find_attacks(text, spans(text, ("Long live", "Slogans")), lexicon) == []
    assert find_attacks(text, [], lexicon) == []
    assert find_attacks("", [], lexicon) == []


def test_overlapping_aliases_servants_and_longer_names(lexicon: Lexicon) -> None:
    text = "Tanks of the puppet army moved. They are traitors selling the land to the U.S."
    found = find_attacks(text, spans(text, ("puppet", "Name_Calling,Labeling"),
                                     ("traitors", "Name_Calling,Labeling")), lexicon)
    # "puppet" overlaps the alias "puppet army"; the traitors serve the U.S., and the
    # sentence before names whom they are.
    assert [(a.label, a.target, a.where) for a in found] == [
        ("puppet", "south Korea", "span"), ("traitors", "south Korea", "context")]
    text = "Warships in the West Sea of Korea staged reckless drills."
    assert find_attacks(text, spans(text, ("reckless", "Appeal_to_fear-prejudice")),
                        lexicon) == []
