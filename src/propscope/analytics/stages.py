"""The per-text stages and :func:`update`, which runs them over the texts not yet read.

Each stage turns one text into a small JSON-able result that :mod:`propscope.analytics.db`
keeps; the report aggregates those results.  A stage's version joins the code's
version (:data:`CODE_VERSION`, raised when an extractor changes what it finds), the
lexicon's hash and, for stages that read spans, the detector id: change any of them
and the next update reads every text again; otherwise it reads only new texts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from propscope.analytics import reuse, slogans
from propscope.analytics.appearances import find_appearance
from propscope.analytics.db import FactTable, TextRow
from propscope.analytics.leaders import find_mentions
from propscope.analytics.lexicon import Lexicon
from propscope.analytics.targets import find_attacks

CODE_VERSION = "5"

BATCH = 200
"""Texts read and written per transaction."""


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    extract: Callable[[TextRow, Lexicon], Any]
    reads_spans: bool = False  # with a detector: its spans come with each text
    needs_spans: bool = False  # only texts the detector analysed (none without one)


def _leaders(row: TextRow, lexicon: Lexicon) -> dict[str, Any]:
    mentions = find_mentions(row.text, lexicon, row.published)
    appearance = find_appearance(row.text, mentions, lexicon, row.published)
    return {
        "mentions": [m.to_dict() for m in mentions],
        "appearance": appearance.to_dict() if appearance else None,
    }


def _targets(row: TextRow, lexicon: Lexicon) -> dict[str, Any]:
    techniques: dict[str, int] = {}
    for _, _, technique in row.spans:
        key = technique or "propaganda"
        techniques[key] = techniques.get(key, 0) + 1
    return {"attacks": [a.to_dict() for a in find_attacks(row.text, row.spans, lexicon)],
            "techniques": techniques}


STAGES: dict[str, Stage] = {
    "leaders": Stage("leaders", _leaders),
    "targets": Stage("targets", _targets, reads_spans=True, needs_spans=True),
    "slogans": Stage("slogans", slogans.extract, reads_spans=True),
    "reuse": Stage("reuse", reuse.extract),
}


def register(stage: Stage) -> None:
    """Add a stage (the slogan and reuse modules register theirs on import)."""
    STAGES[stage.name] = stage


def version(stage: Stage, lexicon: Lexicon, detector: str | None) -> str:
    parts = [CODE_VERSION, lexicon.version]
    if stage.reads_spans and detector is not None:
        parts.append(detector)
    return ":".join(parts)


def update(
    table: FactTable, lexicon: Lexicon, *, detector: str | None,
    stages: list[str] | None = None, progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Run ``stages`` (all by default) over every text without a current result;
    return how many texts each stage read.  A span-reading stage is skipped when
    no detector has analysed the store."""
    counts: dict[str, int] = {}
    for name in stages or list(STAGES):
        stage = STAGES[name]
        if stage.needs_spans and detector is None:
            counts[name] = 0
            continue
        current = version(stage, lexicon, detector)
        after, done = 0, 0
        while True:
            rows = table.todo(name, current, after=after, limit=BATCH,
                              detector=detector if stage.reads_spans else None,
                              analysed_only=stage.needs_spans)
            if not rows:
                break
            table.save(name, current, [(row, stage.extract(row, lexicon)) for row in rows])
            after = rows[-1].text_id
            if done == 0:  # plans for the next batches see the table is not empty
                table.refresh_statistics()
            done += len(rows)
            if progress is not None:
                progress(name, done)
        counts[name] = done
    if any(counts.values()):
        table.refresh_statistics()
    return counts
