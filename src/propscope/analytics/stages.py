"""The per-text stages and :func:`update`, which runs them over the texts not yet read.

Each stage turns one text into a small JSON-able result that
:mod:`propscope.analytics.db` keeps; the report aggregates those results.  A stage's
version joins a hash of its extractors' source (:attr:`Stage.code_version`), the
lexicon's hash and, for stages that read spans, the detector id: change any of them
and the next update reads every text again; otherwise it reads only new texts.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from propscope.analytics import appearances, leaders, reuse, slogans, targets
from propscope.analytics.db import FactTable, TextRow
from propscope.analytics.lexicon import Lexicon

SCHEMA = "1"
"""The shape of the stored results; raised by hand when a stage's JSON changes shape."""

BATCH = 1000
"""Texts read and written per transaction: PostgreSQL pays a round trip per query, so
fewer, larger batches (a batch of KCNA stories is a few MB in memory)."""


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    extract: Callable[[TextRow, Lexicon], Any]
    modules: tuple[ModuleType, ...]  # whose source makes the stage's version
    reads_spans: bool = False  # with a detector: its spans come with each text
    needs_spans: bool = False  # only texts the detector analysed (none without one)

    @property
    def code_version(self) -> str:
        """A hash of the source of the modules that extract: edit the code and the next
        run reads the texts again, with no version number to remember to raise."""
        return _source_hash(tuple(m.__file__ or "" for m in self.modules))


@functools.cache
def _source_hash(files: tuple[str, ...]) -> str:
    digest = hashlib.sha256(SCHEMA.encode())
    for name in files:
        digest.update(Path(name).read_bytes())
    return digest.hexdigest()[:10]


def _leaders(row: TextRow, lexicon: Lexicon) -> dict[str, Any]:
    mentions = leaders.find_mentions(row.text, lexicon, row.published)
    appearance = appearances.find_appearance(row.text, mentions, lexicon, row.published)
    return {
        "mentions": [m.to_dict() for m in mentions],
        "appearance": appearance.to_dict() if appearance else None,
    }


def _targets(row: TextRow, lexicon: Lexicon) -> dict[str, Any]:
    techniques: dict[str, int] = {}
    for _, _, technique in row.spans:
        key = technique or "propaganda"
        techniques[key] = techniques.get(key, 0) + 1
    return {"attacks": [a.to_dict() for a in targets.find_attacks(row.text, row.spans, lexicon)],
            "techniques": techniques}


STAGES: dict[str, Stage] = {
    "leaders": Stage("leaders", _leaders, (leaders, appearances)),
    "targets": Stage("targets", _targets, (targets,), reads_spans=True, needs_spans=True),
    "slogans": Stage("slogans", slogans.extract, (slogans,), reads_spans=True),
    "reuse": Stage("reuse", reuse.extract, (reuse,)),
}


def version(stage: Stage, lexicon: Lexicon, detector: str | None) -> str:
    parts = [stage.code_version, lexicon.version]
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
        after: int | None = 0
        done = 0
        while after is not None:
            rows, after = table.todo(name, current, after=after, limit=BATCH,
                                     detector=detector if stage.reads_spans else None,
                                     analysed_only=stage.needs_spans)
            if not rows:
                continue
            table.save(name, current, [(row, stage.extract(row, lexicon)) for row in rows])
            if done == 0:  # plans for the next batches see the table is not empty
                table.refresh_statistics()
            done += len(rows)
            if progress is not None:
                progress(name, done)
        counts[name] = done
    if any(counts.values()):
        table.refresh_statistics()
    return counts
