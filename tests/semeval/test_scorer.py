"""The SemEval scorer against cases whose figures were worked out by hand."""

from __future__ import annotations

import pytest

from propscope.semeval.formats import Label
from propscope.semeval.scorer import merge_spans, score_si, score_spans, score_tc

LL, NC = "Loaded_Language", "Name_Calling,Labeling"


def si(article: str, start: int, end: int) -> Label:
    return Label(article, start, end)


def test_half_overlap_scores_half() -> None:
    # |s∩t| = 5 of a 10-long prediction and a 10-long gold span
    report = score_si([si("1", 0, 10)], [si("1", 5, 15)])
    assert report.overall.precision == pytest.approx(0.5)
    assert report.overall.recall == pytest.approx(0.5)
    assert report.overall.f1 == pytest.approx(0.5)


def test_overlapping_predictions_are_merged_before_scoring() -> None:
    # pred [0,4)+[2,6) -> [0,6); gold [0,3), [4,8)
    # P = (3/6 + 2/6) / 1 = 5/6;  R = (3/3 + 2/4) / 2 = 3/4
    report = score_si([si("1", 0, 3), si("1", 4, 8)], [si("1", 0, 4), si("1", 2, 6)])
    assert report.overall.n_pred == 1
    assert report.overall.precision == pytest.approx(5 / 6)
    assert report.overall.recall == pytest.approx(3 / 4)
    assert report.overall.f1 == pytest.approx(2 * (5 / 6) * (3 / 4) / (5 / 6 + 3 / 4))


def test_spans_of_different_articles_never_meet() -> None:
    report = score_si([si("1", 0, 10)], [si("2", 0, 10)])
    assert report.overall.f1 == 0.0
    assert (report.overall.n_pred, report.overall.n_gold) == (1, 1)


def test_no_predictions_scores_zero_not_an_error() -> None:
    assert score_si([si("1", 0, 10)], []).overall.f1 == 0.0
    assert score_spans([], []).overall.f1 == 0.0


def test_touching_spans_stay_apart() -> None:
    assert merge_spans([(5, 10), (0, 5), (2, 4)]) == [(0, 5), (5, 10)]
    assert merge_spans([(0, 6), (5, 8)]) == [(0, 8)]


def test_technique_aware_score_counts_only_matching_techniques() -> None:
    gold = [Label("1", 0, 10, LL), Label("1", 20, 30, NC)]
    pred = [Label("1", 0, 5, LL), Label("1", 20, 30, LL)]
    # LL: P numerator 5/5 over 2 predictions, R numerator 5/10 over 1 gold
    # NC: no prediction, 1 gold;  micro: P = 1/2, R = 0.5/2 = 1/4, F1 = 1/3
    report = score_spans(gold, pred)
    assert report.overall.precision == pytest.approx(0.5)
    assert report.overall.recall == pytest.approx(0.25)
    assert report.overall.f1 == pytest.approx(1 / 3)
    assert report.per_technique[LL].precision == pytest.approx(0.5)
    assert report.per_technique[NC].recall == 0.0
    # the same spans with techniques ignored: P = 2/2, R = (0.5 + 1)/2
    assert score_si(gold, pred).overall.f1 == pytest.approx(2 * 0.75 / 1.75)


def test_tc_micro_f1_matches_spans_and_multisets_of_techniques() -> None:
    gold = [Label("1", 0, 5, LL), Label("1", 0, 5, NC), Label("1", 10, 20, "Doubt"),
            Label("2", 0, 3, "Slogans")]
    pred = [Label("1", 0, 5, LL), Label("1", 10, 20, "Repetition"),
            Label("2", 0, 3, "Slogans")]
    # correct: LL and Slogans -> P = 2/3, R = 2/4, F1 = 4/7
    report = score_tc(gold, pred)
    assert report.overall.precision == pytest.approx(2 / 3)
    assert report.overall.recall == pytest.approx(1 / 2)
    assert report.overall.f1 == pytest.approx(4 / 7)
    assert report.per_technique[LL].f1 == pytest.approx(1.0)
    assert report.per_technique[NC].f1 == 0.0
    assert report.per_technique["Repetition"].precision == 0.0


def test_report_table_lists_overall_then_techniques() -> None:
    text = score_spans([Label("1", 0, 10, LL)], [Label("1", 0, 10, LL)]).format()
    lines = text.splitlines()
    assert lines[0] == "SPANS score"
    assert lines[2].split()[:4] == ["overall", "1.0000", "1.0000", "1.0000"]
    assert lines[3].startswith(LL)
