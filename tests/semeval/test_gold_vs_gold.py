"""Gold labels scored against themselves, through the same offset path detectors use.

Each gold span (raw file offsets) is taken to the normalised text with
``span_to_norm`` and back with ``span_to_raw``, exactly as ``propscope semeval`` does
with a detector's spans; F1 = 1.0 proves the files are read as UTF-8 code points and
that the round trip through normalisation moves no edge.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.model import Document
from propscope.semeval.corpus import load_corpus
from propscope.semeval.formats import Label, read_labels_dir
from propscope.semeval.scorer import score_si, score_spans, score_tc


def _round_trip(ptc: Path) -> tuple[list[Label], list[Label]]:
    gold, back = [], []
    for article in load_corpus(ptc):
        doc = Document.from_raw(article.raw)
        for label in article.labels:
            start, end = doc.offset_map.span_to_norm(label.start, label.end)
            assert 0 <= start < end <= len(doc.text)
            raw_start, raw_end = doc.offset_map.span_to_raw(start, end)
            gold.append(label)
            back.append(Label(label.article_id, raw_start, raw_end, label.technique))
    return gold, back


@pytest.mark.shared
def test_ptc_gold_vs_gold_is_one(ptc_dir: Path) -> None:
    gold, back = _round_trip(ptc_dir)
    assert len(gold) > 6000
    si_gold = read_labels_dir(ptc_dir / "labels-si")
    assert score_si(si_gold, back).overall.f1 == pytest.approx(1.0)
    assert score_tc(gold, back).overall.f1 == pytest.approx(1.0)
    assert score_spans(gold, back).overall.f1 == pytest.approx(1.0)


def test_tiny_gold_vs_gold_is_one(tiny_ptc: Path) -> None:
    gold, back = _round_trip(tiny_ptc)
    assert back == gold
    assert score_spans(gold, back).overall.f1 == 1.0


@pytest.mark.shared
@pytest.mark.parametrize("task, sub", [("si", "labels-si"), ("tc", "labels-tc"),
                                       ("spans", "labels-tc")])
def test_ptc_gold_files_score_one_through_the_cli(
    ptc_dir: Path, tmp_path: Path, task: str, sub: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from propscope.cli.app import main

    pred = tmp_path / "gold.txt"
    pred.write_text("".join(p.read_text(encoding="utf-8")
                            for p in sorted((ptc_dir / sub).glob("*.labels"))))
    assert main(["semeval", "score", task, str(ptc_dir), str(pred)]) == 0
    overall = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("overall"))
    assert overall.split()[1:4] == ["1.0000", "1.0000", "1.0000"]
