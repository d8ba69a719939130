"""Span scores as probabilities: a monotone map from a detector's raw score to the
chance that a span is right.

Why: a detector's raw span score is a product of two model outputs (``P(inside a span)``
× ``P(technique)``) that nobody calibrated, so a slider at 0.5 in the workbench or a
``--min-score`` meant something different for each detector, and the issue's reading of
135 spans found raw scores of 0.3 and 0.6 equally often right.  Here a isotonic
regression, fitted on spans the detector produced for articles it never trained on,
turns the raw score into the share of such spans that were right (technique and
place; see :func:`span_is_right`).  The map is a list of breakpoints stored with the
model and read with :func:`numpy.interp` at run time, so the runtime needs numpy only
(scikit-learn fits it, in the ``train``/``test`` extras).

A map is monotone, so it never reorders spans, and a detector's choice of which spans
to emit is untouched: only the number a reader sees changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

# A predicted span counts as right when gold spans of its technique cover at least this
# share of its characters: a span three times wider than the annotated words is not
# what the annotator marked, a span inside an annotated one is.
COVER_NEEDED = 0.5


@dataclass(frozen=True, slots=True)
class Calibration:
    """Breakpoints ``(xs, ys)`` of a non-decreasing map from raw score to P(right)."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.xs) != len(self.ys) or not self.xs:
            raise ValueError("a calibration needs as many ys as xs, at least one")
        if any(b < a for a, b in zip(self.xs, self.xs[1:])) or any(
            b < a for a, b in zip(self.ys, self.ys[1:])
        ):
            raise ValueError("a calibration's xs and ys must both be non-decreasing")
        if not all(0.0 <= y <= 1.0 for y in self.ys):
            raise ValueError("a calibration's ys are probabilities, in [0, 1]")

    def __call__(self, score: float) -> float:
        return float(np.interp(score, self.xs, self.ys))

    def many(self, scores: np.ndarray) -> np.ndarray:
        return np.interp(scores, self.xs, self.ys)

    def to_dict(self) -> dict[str, list[float]]:
        return {"xs": [round(x, 6) for x in self.xs], "ys": [round(y, 6) for y in self.ys]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Sequence[float]] | None) -> Calibration | None:
        """The map stored in a model's metadata; ``None`` when the model has none."""
        if not data:
            return None
        return cls(tuple(float(x) for x in data["xs"]), tuple(float(y) for y in data["ys"]))

    @classmethod
    def fit(cls, scores: Sequence[float], right: Sequence[bool]) -> Calibration:
        """Isotonic regression of ``right`` on ``scores`` (scikit-learn), kept as the
        breakpoints where the fitted step function changes."""
        from sklearn.isotonic import IsotonicRegression

        if len(scores) != len(right) or not len(scores):
            raise ValueError("fit a calibration on as many outcomes as scores, at least one")
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        iso.fit(np.asarray(scores, dtype=float), np.asarray(right, dtype=float))
        xs, ys = iso.X_thresholds_, iso.y_thresholds_
        return cls(tuple(float(x) for x in xs), tuple(float(y) for y in ys))


def span_is_right(
    start: int, end: int, technique: str | None,
    gold: Iterable[tuple[int, int, str]],
) -> bool:
    """Whether gold spans (``start, end, technique``) of the span's technique (of any,
    when ``technique`` is None) cover at least :data:`COVER_NEEDED` of its characters."""
    if end <= start:
        return False
    covered = np.zeros(end - start, dtype=bool)
    for a, b, name in gold:
        if technique is not None and name != technique:
            continue
        lo, hi = max(a, start), min(b, end)
        if lo < hi:
            covered[lo - start : hi - start] = True
    return bool(covered.mean() >= COVER_NEEDED)


def reliability(
    scores: Sequence[float], right: Sequence[bool], bins: Sequence[float] = (0, .2, .3, .5, 1.01)
) -> list[tuple[float, float, int, float, float]]:
    """Rows ``(low, high, count, mean score, share right)`` per score bin: what the
    issue read by hand, for a printed table."""
    s, r = np.asarray(scores, dtype=float), np.asarray(right, dtype=float)
    rows = []
    for lo, hi in itertools.pairwise(bins):
        m = (s >= lo) & (s < hi)
        n = int(m.sum())
        rows.append((lo, hi, n, float(s[m].mean()) if n else 0.0, float(r[m].mean()) if n else 0.0))
    return rows


def expected_calibration_error(
    scores: Sequence[float], right: Sequence[bool], bins: int = 10
) -> float:
    """Mean |score − share right| over equal-width score bins, weighted by count."""
    s, r = np.asarray(scores, dtype=float), np.asarray(right, dtype=float)
    if not len(s):
        return 0.0
    idx = np.minimum((s * bins).astype(int), bins - 1)
    err = 0.0
    for k in range(bins):
        m = idx == k
        if m.any():
            err += m.sum() * abs(s[m].mean() - r[m].mean())
    return float(err / len(s))
