"""The 14 technique classes of the Propaganda Techniques Corpus, as data.

Names are exactly the class names of SemEval-2020 Task 11 (Da San Martino et al.,
2020), which merged some of the 18 techniques of the PTC paper (EMNLP 2019) into one
class: hence the comma-joined names.  Ids are stable: stored spans, exports and model
files refer to techniques by ``name`` and the numeric ``id`` never changes meaning.
Definitions and examples are propscope's own wording.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Technique:
    id: int
    name: str  # the PTC / SemEval class name
    slug: str  # for CSS classes, URLs and file names
    display: str  # what a reader sees
    colour: str  # a highlight behind black text: see the palette note below
    definition: str
    example: str


# The palette.  Fourteen highlight colours a reader must tell apart, also with red-green
# colour blindness, each behind black text.  All are taken from two published
# colour-blind-safe qualitative sets: Paul Tol's schemes "light", "pale", "muted",
# "bright" and "vibrant" (P. Tol, "Colour Schemes", SRON technical note
# SRON/EPS/TN/09-002, https://personal.sron.nl/~pault/) and the Okabe-Ito set
# (M. Okabe and K. Ito, "Color Universal Design", 2002).  Fourteen is more than any one
# of them holds, so the fourteen were picked from their union to keep the smallest
# CIEDE2000 difference between any two as large as possible for normal vision,
# deuteranopia and protanopia (simulated with Machado et al. 2009), and handed out so
# that techniques that often occur together in the PTC training articles (loaded
# language with nearly every other) get the most different ones.  Every colour gives
# black text at least the WCAG AA contrast of 4.5:1 and stands out from a white page.
# The remaining close pairs (all of rarely co-occurring techniques) differ in a second
# channel, the underline style of the HTML report; tests/present/test_palette.py
# checks all of this.  Terminals with 16 colours get their own mapping
# (propscope.present.terminal).
TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        1, "Loaded_Language", "loaded-language", "Loaded language", "#99ddff",
        "Words picked for the feeling they set off rather than the facts they carry, "
        "so the reader reacts before thinking.",
        "The regime's *barbaric* onslaught left the town *devastated*.",
    ),
    Technique(
        2, "Name_Calling,Labeling", "name-calling", "Name calling / labelling", "#ccddaa",
        "Tying a person, group or idea to a label the audience already fears, hates or "
        "admires, in place of an argument about them.",
        "The *warmongering puppets* in the capital voted again.",
    ),
    Technique(
        3, "Repetition", "repetition", "Repetition", "#cc6677",
        "Saying the same message again and again until it feels familiar, and so true.",
        "Victory is near. We will see victory. Victory belongs to us.",
    ),
    Technique(
        4, "Doubt", "doubt", "Doubt", "#d55e00",
        "Casting suspicion on the credibility of a person or institution without "
        "showing that anything they said is false.",
        "Can we really believe a minister who has never worked a day in a factory?",
    ),
    Technique(
        5, "Exaggeration,Minimisation", "exaggeration", "Exaggeration / minimisation",
        "#f0e442",
        "Blowing something up beyond its real size, or shrinking it to nothing, to "
        "steer how much it seems to matter.",
        "The harvest was the greatest in the history of humankind.",
    ),
    Technique(
        6, "Appeal_to_fear-prejudice", "fear", "Appeal to fear / prejudice", "#bbbbbb",
        "Winning support by making people afraid of an alternative or by leaning on "
        "what they already hold against a group.",
        "If the treaty passes, foreign troops will be in our streets by spring.",
    ),
    Technique(
        7, "Flag-Waving", "flag-waving", "Flag-waving", "#cc79a7",
        "Justifying an idea by calling on patriotism or on loyalty to a group, as if "
        "belonging settled the question.",
        "Every true patriot stands with the plan for the motherland.",
    ),
    Technique(
        8, "Causal_Oversimplification", "causal", "Causal oversimplification", "#009988",
        "Pinning a complex outcome on one cause, often a convenient one, while the "
        "others are ignored.",
        "Prices rose for one reason only: the sanctions of our enemies.",
    ),
    Technique(
        9, "Appeal_to_Authority", "authority", "Appeal to authority", "#ee8866",
        "Presenting a claim as true because an important person or body said it, "
        "whatever the evidence.",
        "The leader has said the plan cannot fail, so it will not fail.",
    ),
    Technique(
        10, "Slogans", "slogans", "Slogans", "#ee7733",
        "A short, catchy phrase that stands in for an argument, often with a label or "
        "a call to act.",
        "Forward to final victory!",
    ),
    Technique(
        11, "Whataboutism,Straw_Men,Red_Herring", "whataboutism",
        "Whataboutism / straw man / red herring", "#ccbb44",
        "Dodging a charge: answering it with the opponent's own faults, attacking a "
        "weaker version of their view, or steering to an unrelated topic.",
        "They criticise our elections, yet their own streets are full of homeless people.",
    ),
    Technique(
        12, "Black-and-White_Fallacy", "black-and-white", "Black-and-white fallacy",
        "#eedd88",
        "Offering two options as the only ones possible when more exist, or "
        "demanding one side be chosen.",
        "Either you back the party without reserve, or you serve the enemy.",
    ),
    Technique(
        13, "Thought-terminating_Cliches", "cliches", "Thought-terminating cliché",
        "#44bb99",
        "A stock phrase that closes a discussion and discourages further thought.",
        "That is just how things are; there is nothing more to say.",
    ),
    Technique(
        14, "Bandwagon,Reductio_ad_hitlerum", "bandwagon",
        "Bandwagon / reductio ad Hitlerum", "#56b4e9",
        "Urging people to join in because everyone else does, or rejecting an idea "
        "because a hated group is said to hold it.",
        "The whole nation has already signed the pledge; only traitors hold back.",
    ),
)

TECHNIQUE_NAMES: tuple[str, ...] = tuple(t.name for t in TECHNIQUES)
TECHNIQUES_BY_NAME: dict[str, Technique] = {t.name: t for t in TECHNIQUES}
TECHNIQUES_BY_ID: dict[int, Technique] = {t.id: t for t in TECHNIQUES}
TECHNIQUES_BY_SLUG: dict[str, Technique] = {t.slug: t for t in TECHNIQUES}


def technique(key: str | int) -> Technique:
    """Look a technique up by PTC name, slug or id; ``KeyError`` names the valid ones."""
    if isinstance(key, int):
        return TECHNIQUES_BY_ID[key]
    found = TECHNIQUES_BY_NAME.get(key) or TECHNIQUES_BY_SLUG.get(key)
    if found is None:
        raise KeyError(f"unknown technique {key!r}; known: {', '.join(TECHNIQUE_NAMES)}")
    return found
