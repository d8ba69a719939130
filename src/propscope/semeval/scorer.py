"""The scores of SemEval-2020 Task 11, computed as the task paper defines them.

* **SI** (span identification), soft overlap: within each article, overlapping spans
  of the gold set T and of the prediction set S are merged first; then
  ``P = Σ_s Σ_t |s∩t| / |s|  /  |S|`` and ``R = Σ_s Σ_t |s∩t| / |t|  /  |T|``, pooled
  over all articles (a span only meets spans of its own article), ``F1 = 2PR/(P+R)``.
  A prediction that covers a gold span partly earns that part, so a detector is
  rewarded for finding the right stretch even with imprecise edges.
* **Technique-aware span score** ("spans"): the SI formula computed per technique,
  where a pair counts only when the techniques match (spans merged per technique),
  then micro-averaged: numerators and span counts are summed over techniques.
* **TC** (technique classification) on given spans: micro P/R/F1 over (span,
  technique) pairs; a span that gold labels with two techniques needs two predicted
  lines to earn both.  When every gold span gets exactly one prediction P = R = F1 =
  accuracy, the task's figure.

All functions take :class:`~propscope.semeval.formats.Label` lists, so they score
files (``propscope semeval score``) and in-memory predictions (benchmarks) alike.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from propscope.semeval.formats import Label


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall, F1, and the span counts behind them."""

    precision: float
    recall: float
    f1: float
    n_pred: int = 0
    n_gold: int = 0

    @classmethod
    def from_sums(cls, p_sum: float, n_pred: int, r_sum: float, n_gold: int) -> PRF:
        precision = p_sum / n_pred if n_pred else 0.0
        recall = r_sum / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(precision, recall, f1, n_pred, n_gold)


@dataclass(slots=True)
class Report:
    """An overall score and one per technique (empty for SI, which has none)."""

    task: str
    overall: PRF
    per_technique: dict[str, PRF] = field(default_factory=dict)

    def format(self) -> str:
        """A plain-text table: overall first, then each technique by gold count."""
        rows = [f"{self.task.upper()} score", (f"{'':38} {'P':>7} {'R':>7} {'F1':>7} "
                f"{'pred':>6} {'gold':>6}")]
        rows.append(_row("overall", self.overall))
        ordered = sorted(self.per_technique.items(), key=lambda kv: (-kv[1].n_gold, kv[0]))
        rows.extend(_row(name, prf) for name, prf in ordered)
        return "\n".join(rows)


def _row(name: str, prf: PRF) -> str:
    return (f"{name:38} {prf.precision:7.4f} {prf.recall:7.4f} {prf.f1:7.4f} "
            f"{prf.n_pred:6d} {prf.n_gold:6d}")


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted union of half-open intervals: overlapping ones become one.

    Spans that merely touch (one ends where the next starts) share no character and
    stay apart, as in the official scorer, which merges on a shared character.
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _overlap_sums(
    pred: list[tuple[int, int]], gold: list[tuple[int, int]]
) -> tuple[float, float]:
    """``(Σ |s∩t|/|s|, Σ |s∩t|/|t|)`` over all pairs of two merged, sorted span lists."""
    p_sum = r_sum = 0.0
    gold_starts = [g[0] for g in gold]
    for s_start, s_end in pred:
        # gold spans are disjoint and sorted: begin with the last one starting before s
        k = max(0, bisect_left(gold_starts, s_start) - 1)
        while k < len(gold) and gold[k][0] < s_end:
            t_start, t_end = gold[k]
            inter = min(s_end, t_end) - max(s_start, t_start)
            if inter > 0:
                p_sum += inter / (s_end - s_start)
                r_sum += inter / (t_end - t_start)
            k += 1
    return p_sum, r_sum


def _grouped(labels: Iterable[Label], by_technique: bool) -> dict[tuple[str, str], list]:
    groups: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for label in labels:
        key = (label.article_id, (label.technique or "") if by_technique else "")
        groups[key].append((label.start, label.end))
    return {key: merge_spans(spans) for key, spans in groups.items()}


def _soft_sums(
    gold: Iterable[Label], pred: Iterable[Label], by_technique: bool
) -> dict[str, tuple[float, int, float, int]]:
    """Per group key (technique, or "" for SI): (P numerator, |S|, R numerator, |T|)."""
    gold_g = _grouped(gold, by_technique)
    pred_g = _grouped(pred, by_technique)
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0.0, 0])
    for key in set(gold_g) | set(pred_g):
        p_spans, g_spans = pred_g.get(key, []), gold_g.get(key, [])
        p_sum, r_sum = _overlap_sums(p_spans, g_spans)
        acc = sums[key[1]]
        acc[0] += p_sum
        acc[1] += len(p_spans)
        acc[2] += r_sum
        acc[3] += len(g_spans)
    return {k: (v[0], int(v[1]), v[2], int(v[3])) for k, v in sums.items()}


def score_si(gold: Iterable[Label], pred: Iterable[Label]) -> Report:
    """SI soft-overlap P/R/F1, techniques ignored."""
    sums = _soft_sums(gold, pred, by_technique=False).get("", (0.0, 0, 0.0, 0))
    return Report("si", PRF.from_sums(*sums))


def score_spans(gold: Iterable[Label], pred: Iterable[Label]) -> Report:
    """Technique-aware soft-overlap P/R/F1: per technique, and micro-averaged."""
    sums = _soft_sums(gold, pred, by_technique=True)
    per = {tech: PRF.from_sums(*vals) for tech, vals in sums.items() if tech}
    total = [sum(v[i] for v in sums.values()) for i in range(4)]
    overall = PRF.from_sums(total[0], int(total[1]), total[2], int(total[3]))
    return Report("spans", overall, per)


def score_tc(gold: Iterable[Label], pred: Iterable[Label]) -> Report:
    """Micro P/R/F1 of techniques on given spans, matched by (article, start, end)."""
    gold_at: dict[tuple[str, int, int], Counter[str]] = defaultdict(Counter)
    pred_at: dict[tuple[str, int, int], Counter[str]] = defaultdict(Counter)
    for label in gold:
        gold_at[(label.article_id, label.start, label.end)][label.technique or ""] += 1
    for label in pred:
        pred_at[(label.article_id, label.start, label.end)][label.technique or ""] += 1
    correct: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for key in set(gold_at) | set(pred_at):
        g, p = gold_at.get(key, Counter()), pred_at.get(key, Counter())
        correct.update(g & p)
        n_pred.update(p)
        n_gold.update(g)
    per = {
        tech: PRF.from_sums(correct[tech], n_pred[tech], correct[tech], n_gold[tech])
        for tech in set(n_pred) | set(n_gold)
        if tech
    }
    total_correct = sum(correct.values())
    overall = PRF.from_sums(
        total_correct, sum(n_pred.values()), total_correct, sum(n_gold.values())
    )
    return Report("tc", overall, per)


SCORERS = {"si": score_si, "tc": score_tc, "spans": score_spans}
