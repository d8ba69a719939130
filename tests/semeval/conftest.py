"""A tiny PTC-style folder written by hand, for the CLI contract.

The raw texts hold runs of spaces, curly quotes and a non-ASCII letter, so the
normalised text differs from the file and offsets must go through the offset map.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ARTICLES = {
    "1": (
        "Glorious victory for the motherland\n\n"
        "The  so-called experts are   \u201cpuppets\u201d of the imperialist reactionaries.\n"
        "Thanks to him, the harvest was the greatest in history!\n"
    ),
    "2": "Caf\u00e9 talk\n\nA quiet report on road repairs.\nNothing to see here.\n",
    "3": (
        "Never again!\n\n"
        "Stop the invasion.  Stop the invasion.  Stop the invasion!\n"
    ),
}

# (article, technique, quoted text, which occurrence)
GOLD = [
    ("1", "Flag-Waving", "Glorious victory for the motherland", 0),
    ("1", "Doubt", "so-called experts", 0),
    ("1", "Name_Calling,Labeling", "\u201cpuppets\u201d", 0),
    ("1", "Name_Calling,Labeling", "imperialist reactionaries", 0),
    ("1", "Loaded_Language", "imperialist reactionaries", 0),
    ("1", "Causal_Oversimplification", "Thanks to him, the harvest was the greatest", 0),
    ("1", "Exaggeration,Minimisation", "the greatest in history", 0),
    ("3", "Slogans", "Never again!", 0),
    ("3", "Repetition", "Stop the invasion", 1),
    ("3", "Repetition", "Stop the invasion", 2),
]


def _find(text: str, needle: str, occurrence: int) -> int:
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(needle, at + 1)
    return at


@pytest.fixture()
def tiny_ptc(tmp_path: Path) -> Path:
    """``articles/``, ``labels-tc/`` and ``labels-si/`` for three small articles."""
    root = tmp_path / "ptc"
    for sub in ("articles", "labels-tc", "labels-si"):
        (root / sub).mkdir(parents=True)
    for article_id, text in ARTICLES.items():
        (root / "articles" / f"article{article_id}.txt").write_text(text, encoding="utf-8")
        tc_lines, si_lines = [], []
        for gold_id, technique, needle, occurrence in GOLD:
            if gold_id != article_id:
                continue
            start = _find(text, needle, occurrence)
            end = start + len(needle)
            tc_lines.append(f"{article_id}\t{technique}\t{start}\t{end}\n")
            si_lines.append(f"{article_id}\t{start}\t{end}\n")
        (root / "labels-tc" / f"article{article_id}.labels").write_text("".join(tc_lines))
        (root / "labels-si" / f"article{article_id}.labels").write_text("".join(si_lines))
    return root
