"""The hand-written state-media patterns of the fast detector."""

from __future__ import annotations

from propscope.detect.fast.lexicon import lexicon_spans, lexicon_tags


def _found(text: str) -> dict[str, str]:
    return {text[s:e]: technique for s, e, technique, _, _ in lexicon_spans(text)}


def test_patterns_propose_techniques_with_evidence() -> None:
    text = ("The imperialist reactionaries failed. Thanks to him, the harvest grew. "
            "Long live the party! We march toward final victory.")
    found = _found(text)
    assert found["imperialist reactionaries"] == "Name_Calling,Labeling"
    assert found["Thanks to him, the harvest grew"] == "Causal_Oversimplification"
    assert found["Long live the party"] == "Slogans"
    assert found["toward final victory"] == "Slogans"
    for *_, score, evidence in lexicon_spans(text):
        assert 0 < score < 1 and evidence.startswith(("lexicon:", "pattern:"))


def test_honorifics_and_eulogies_of_state_media() -> None:
    found = _found("The respected Comrade leader showed extraordinary wisdom in the sacred war.")
    assert found == {"respected Comrade": "Loaded_Language",
                     "extraordinary wisdom": "Loaded_Language", "sacred war": "Flag-Waving"}


def test_earlier_patterns_claim_text_first() -> None:
    spans = lexicon_spans("an immortal achievements list")
    assert [(t, ev.split(":")[1].strip()) for _, _, t, _, ev in spans] == [
        ("Exaggeration,Minimisation", "eulogy")]


def test_plain_news_triggers_nothing() -> None:
    assert lexicon_spans("The council approved the budget for road repairs on Monday.") == []


def test_word_tags() -> None:
    assert "enemy" in lexicon_tags("puppets")
    assert lexicon_tags("table") == ()
