"""State-media precision guards and span boundary faults (issue 11).

The texts are written for these tests in the register of state media; none is copied
from a corpus.  Each fault was seen in the default detector's output on KCNA and
Tehran Times stories; the guards live in :mod:`propscope.detect.postprocess`, which
both detectors apply to their spans.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.detect.fast import FastDetector
from propscope.detect.postprocess import clean_spans
from propscope.errors import PropscopeError
from propscope.model import Span


@pytest.fixture(scope="module")
def fast() -> FastDetector:
    return FastDetector.load()


def _texts(detector: FastDetector, text: str) -> dict[str, str | None]:
    return {text[s.start:s.end]: s.technique for s in detector.detect_text(text)}


def _clean(text: str, *pieces: tuple[int, int, str | None]) -> list[str]:
    spans = [Span(a, b, t, 0.5, "test", "") for a, b, t in pieces]
    return [text[s.start:s.end] for s in clean_spans(spans, text)]


def _at(text: str, piece: str, technique: str | None = "Loaded_Language",
        shift: tuple[int, int] = (0, 0)) -> tuple[int, int, str | None]:
    start = text.index(piece)
    return start + shift[0], start + len(piece) + shift[1], technique


# --- state-media names and titles are not techniques by themselves -----------------

LEADERSHIP = ("Under the leadership of Comrade Kim Jong Un, the miners of the northern "
              "coal complex carried out their yearly plan ahead of schedule.")
WAR = ("Veterans of the Fatherland Liberation War met the young shock brigade members "
       "at the memorial hall on Saturday.")
FRONT = ("The Anti-Imperialist National Democratic Front issued a statement denouncing "
         "the joint drills as a rehearsal for invasion.")


def test_under_the_leadership_alone_is_not_appeal_to_authority(fast: FastDetector) -> None:
    found = _texts(fast, LEADERSHIP)
    assert "Appeal_to_Authority" not in found.values(), found
    assert not _clean(LEADERSHIP, _at(LEADERSHIP, "Under the leadership of Comrade Kim Jong Un",
                                      "Appeal_to_Authority"))


def test_an_argument_resting_on_the_leader_keeps_its_appeal() -> None:
    text = ("The plan is bound to succeed because it was set forth by the respected "
            "Supreme Leader himself, who is never wrong.")
    piece = "because it was set forth by the respected Supreme Leader himself"
    assert _clean(text, _at(text, piece, "Appeal_to_Authority")) == [piece]


def test_fatherland_in_the_name_of_a_war_is_not_flag_waving(fast: FastDetector) -> None:
    found = _texts(fast, WAR)
    assert not any("Fatherland" in piece for piece in found), found
    assert not _clean(WAR, _at(WAR, "Fatherland", "Flag-Waving"))


def test_fatherland_outside_a_name_is_still_flag_waving(fast: FastDetector) -> None:
    text = "Every young man is ready to lay down his life for the fatherland."
    assert _texts(fast, text).get("fatherland") == "Flag-Waving"


def test_anti_imperialist_in_an_organisation_is_not_name_calling(fast: FastDetector) -> None:
    found = _texts(fast, FRONT)
    assert not any("Anti-Imperialist" in piece for piece in found), found
    assert not _clean(FRONT, _at(FRONT, "Anti-Imperialist", "Name_Calling,Labeling"))


def test_each_of_many_names_is_guarded_and_a_span_across_one_is_kept() -> None:
    text = ("The Korean Children's Union met. The Kim Il Sung Socialist Youth League "
            "held a rally. The heroic Korean People's Army stands guard.")
    assert not _clean(text, _at(text, "Socialist Youth", "Loaded_Language"))
    assert not _clean(text, _at(text, "Korean Children's", "Flag-Waving"))
    piece = "heroic Korean People's Army"
    assert _clean(text, _at(text, piece)) == [piece]


# --- boundary faults -------------------------------------------------------------

def test_punctuation_only_and_one_letter_spans_are_dropped() -> None:
    text = 'He called it "a farce" before the U.S. delegation left.'
    assert not _clean(text, _at(text, '"', "Loaded_Language"))
    s = text.index("U.S.") + 2  # the "S" of "U.S."
    assert not _clean(text, (s, s + 1, "Name_Calling,Labeling"))


@pytest.mark.parametrize("word", ["with", "quite", "the", "of"])
def test_a_lone_function_word_is_dropped(word: str) -> None:
    text = f"They went along {word} it, said the spokesman."
    assert not _clean(text, _at(text, word))


def test_a_content_word_alone_is_kept() -> None:
    text = "The regime's hysterical outburst fooled no one."
    assert _clean(text, _at(text, "hysterical")) == ["hysterical"]


def test_a_span_starting_mid_word_snaps_to_the_next_word() -> None:
    text = "Theresa May’s relentlessly appeasement-minded government bowed again."
    start = text.index("s relentlessly")
    end = text.index(" bowed")
    assert _clean(text, (start, end, "Loaded_Language")) == [
        "relentlessly appeasement-minded government"]


def test_a_span_mostly_covering_a_word_takes_the_whole_word() -> None:
    text = "The warmongers staged another provocation."
    piece = _at(text, "warmongers staged", shift=(1, 0))  # "armongers staged"
    assert _clean(text, piece) == ["warmongers staged"]
    piece = _at(text, "staged another provocation", shift=(0, -2))  # "…provocati"
    assert _clean(text, piece) == ["staged another provocation"]


def test_a_span_across_a_sentence_break_keeps_its_longest_sentence() -> None:
    text = "They lie. The puppet clique is a gang of shameless traitors to the nation."
    start = text.index("lie")
    end = text.index(" to the nation")
    assert _clean(text, (start, end, "Name_Calling,Labeling")) == [
        "The puppet clique is a gang of shameless traitors"]


def test_an_abbreviation_is_not_a_sentence_break() -> None:
    text = "The U.S. War Department and Mr. Smith were blamed for the outrageous massacre."
    piece = "U.S. War Department and Mr. Smith were blamed for the outrageous massacre"
    assert _clean(text, _at(text, piece)) == [piece]


def test_clean_keeps_technique_score_and_evidence_and_drops_repeats() -> None:
    text = "A brutal and savage attack."
    a = Span(1, 8, "Loaded_Language", 0.4, "d", "why")  # " brutal" -> "brutal"
    b = Span(2, 8, "Loaded_Language", 0.3, "d", "other")
    (kept,) = clean_spans([a, b], text)
    assert (text[kept.start:kept.end], kept.technique, kept.score, kept.evidence) == (
        "brutal", "Loaded_Language", 0.4, "why")


def test_bad_input_spans_past_the_text_are_clipped_or_dropped() -> None:
    text = "short words"
    (kept,) = clean_spans([Span(6, 40, "Loaded_Language")], text)
    assert text[kept.start:kept.end] == "words"
    assert clean_spans([Span(20, 40, "Loaded_Language")], text) == []
    assert clean_spans([], "") == []


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab .’'\"-U.S\n!?X", min_size=1, max_size=60), st.data())
def test_cleaned_spans_lie_on_word_edges_inside_the_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    for span in clean_spans([Span(start, end, "Loaded_Language")], text):
        assert 0 <= span.start < span.end <= len(text)
        assert start - 64 <= span.start and span.end <= end + 64
        piece = text[span.start:span.end]
        assert sum(ch.isalnum() for ch in piece) >= 2 and piece == piece.strip()
        assert not (span.start > 0 and text[span.start - 1].isalnum()
                    and text[span.start].isalnum())
        assert not (span.end < len(text) and text[span.end - 1].isalnum()
                    and text[span.end].isalnum())


def test_both_detectors_clean_their_spans() -> None:
    """The neural detector applies the same step (skipped when its model is absent)."""
    from propscope.model import Document

    runtime = pytest.importorskip("propscope.detect.neural.runtime")
    try:
        detector = runtime.NeuralDetector.load()
    except (PropscopeError, ImportError) as err:  # no onnxruntime or model files here
        pytest.skip(f"neural detector unavailable: {err}")
    assert detector.config()["clean"] is True
    texts = (LEADERSHIP, WAR, FRONT)
    for text, spans in zip(texts, detector.detect([Document(text=t) for t in texts])):
        for span in spans:
            piece = text[span.start:span.end]
            assert "Fatherland" not in piece and "Anti-Imperialist" not in piece, piece
            assert not (text is LEADERSHIP and span.technique == "Appeal_to_Authority")


# --- recall for the eulogy register (patterns in detect/fast/lexicon.py) -----------

def _hits(text: str) -> dict[str, str]:
    from propscope.detect.fast.lexicon import lexicon_spans

    return {text[s:e]: technique for s, e, technique, _, _ in lexicon_spans(text)}


@pytest.mark.parametrize(("text", "piece", "technique"), [
    ("The heroic miners embellished the whole decade with brilliant exploits.",
     "embellished the whole decade with brilliant exploits", "Exaggeration,Minimisation"),
    ("The army has adorned every page of its annals with victory and glory.",
     "adorned every page of its annals with victory and glory", "Exaggeration,Minimisation"),
    ("The young league is ushering in a great heyday of mass sports.",
     "ushering in a great heyday", "Exaggeration,Minimisation"),
    ("The farmers marched forward on the straight road of prosperity.",
     "on the straight road of prosperity", "Loaded_Language"),
    ("The new riverside park resounded with cheerful laughter of children.",
     "resounded with cheerful laughter of children", "Loaded_Language"),
    ("The veterans were greatly moved by the fatherly loving care he showed them.",
     "greatly moved by the fatherly loving care", "Loaded_Language"),
    ("He was hailed as the benevolent father of all Koreans.",
     "benevolent father of all Koreans", "Loaded_Language"),
    ("Letters were sent to the dear respected Marshal Kim Jong Un on the holiday.",
     "dear respected Marshal Kim Jong Un", "Loaded_Language"),
    ("The Japanese imperialists must pay for their crimes.",
     "Japanese imperialists", "Name_Calling,Labeling"),
    ("The nation has no alternative but to build up its deterrent.",
     "no alternative but to build up its deterrent", "Black-and-White_Fallacy"),
    ("The only way to face the U.S. is unyielding resistance, he said.",
     "The only way to face the U.S. is unyielding resistance", "Black-and-White_Fallacy"),
])
def test_eulogy_and_formula_patterns_fire(text: str, piece: str, technique: str) -> None:
    assert _hits(text).get(piece) == technique, _hits(text)


@pytest.mark.parametrize("text", [
    "Trucks stood on the road of the northern province after the storm.",
    'The troupe sang "Merry Laughter" and other songs at the theatre.',
    "The nurses take meticulous care of the patients.",
    'The choir closed with "Boundless Love" and a folk song.',
    "Under the leadership of the new mayor the council met on Monday.",
    "The city marks the anniversary of the Fatherland Liberation War on Saturday.",
])
def test_neutral_uses_of_the_same_words_do_not_fire(text: str) -> None:
    assert _hits(text) == {}
