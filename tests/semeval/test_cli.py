"""The ``propscope semeval`` contract on a tiny hand-made folder, with the shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.cli.app import main
from propscope.semeval.formats import read_labels
from propscope.techniques import TECHNIQUE_NAMES


def _raw_lengths(ptc: Path) -> dict[str, int]:
    return {p.stem[len("article"):]: len(p.read_text(encoding="utf-8"))
            for p in (ptc / "articles").glob("article*.txt")}


def _overall(output: str) -> list[str]:
    line = next(x for x in output.splitlines() if x.startswith("overall"))
    return line.split()


def test_spans_si_and_tc_files_are_well_formed(tiny_ptc: Path, tmp_path: Path) -> None:
    lengths = _raw_lengths(tiny_ptc)
    spans_file, si_file = tmp_path / "spans.txt", tmp_path / "si.txt"
    assert main(["semeval", "spans", str(tiny_ptc / "articles"), "-o", str(spans_file),
                 "--detector", "fast"]) == 0
    spans = read_labels(spans_file)
    assert spans, "the shipped model finds nothing in an obvious text"
    for label in spans:
        assert label.technique in TECHNIQUE_NAMES
        assert 0 <= label.start < label.end <= lengths[label.article_id]
    # the registry's default detector, whichever it is
    assert main(["semeval", "si", str(tiny_ptc / "articles"), "-o", str(si_file)]) == 0
    si_lines = si_file.read_text().splitlines()
    assert si_lines and all(len(line.split("\t")) == 3 for line in si_lines)

    template = tmp_path / "template.txt"
    gold_tc = read_labels(tiny_ptc / "labels-tc" / "article1.labels")
    template.write_text("".join(f"1\t?\t{g.start}\t{g.end}\n" for g in gold_tc))
    tc_file = tmp_path / "tc.txt"
    assert main(["semeval", "tc", str(tiny_ptc / "articles"), str(template),
                 "-o", str(tc_file), "--detector", "fast"]) == 0
    predicted = read_labels(tc_file)
    assert [(p.start, p.end) for p in predicted] == sorted((g.start, g.end) for g in gold_tc)
    assert all(p.technique in TECHNIQUE_NAMES for p in predicted)


@pytest.mark.parametrize("task, sub", [("si", "labels-si"), ("tc", "labels-tc"),
                                       ("spans", "labels-tc")])
def test_score_gold_against_itself(tiny_ptc: Path, tmp_path: Path, task: str, sub: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    pred = tmp_path / "gold.txt"
    pred.write_text("".join(p.read_text() for p in sorted((tiny_ptc / sub).glob("*.labels"))))
    assert main(["semeval", "score", task, str(tiny_ptc), str(pred)]) == 0
    assert _overall(capsys.readouterr().out)[1:4] == ["1.0000", "1.0000", "1.0000"]


def test_score_dev_split_keeps_only_dev_articles(
    tiny_ptc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # three articles: none sits at index 4, so the dev part is empty
    pred = tmp_path / "gold.txt"
    pred.write_text((tiny_ptc / "labels-si" / "article1.labels").read_text())
    assert main(["semeval", "score", "si", str(tiny_ptc), str(pred), "--split", "dev"]) == 0
    assert _overall(capsys.readouterr().out)[-2:] == ["0", "0"]


def test_bad_inputs_give_one_line_errors(
    tiny_ptc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["semeval", "si", str(tmp_path / "nowhere"), "-o", str(tmp_path / "x")]) == 2
    assert "PS401" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["semeval", "spans", str(tmp_path / "empty"), "-o", str(tmp_path / "x")]) == 2
    assert "no article<ID>.txt" in capsys.readouterr().err
    broken = tmp_path / "broken.txt"
    broken.write_text("1\tLoaded_Language\tzero\t4\n")
    assert main(["semeval", "score", "spans", str(tiny_ptc), str(broken)]) == 2
    err = capsys.readouterr().err
    assert "PS106" in err and "broken.txt:1" in err and len(err.strip().splitlines()) == 1
    si_only = tmp_path / "si.txt"
    si_only.write_text("1\t0\t4\n")
    assert main(["semeval", "score", "tc", str(tiny_ptc), str(si_only)]) == 2
    assert "not a TC prediction" in capsys.readouterr().err
    assert main(["semeval", "si", str(tiny_ptc / "articles"), "-o", str(tmp_path / "x"),
                 "--detector", "nope"]) == 2
    assert "unknown detector" in capsys.readouterr().err


def test_invalid_utf8_article_is_a_clear_error(
    tiny_ptc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tiny_ptc / "articles" / "article9.txt").write_bytes(b"Bad \xff\xfe bytes\n")
    assert main(["semeval", "si", str(tiny_ptc / "articles"), "-o", str(tmp_path / "x")]) == 2
    assert "PS105" in capsys.readouterr().err


def test_template_span_past_the_article_is_refused(
    tiny_ptc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template.txt"
    template.write_text("2\t?\t0\t5000\n")
    assert main(["semeval", "tc", str(tiny_ptc / "articles"), str(template),
                 "-o", str(tmp_path / "tc.txt")]) == 2
    assert "ends past article 2" in capsys.readouterr().err


def test_score_split_reads_ids_from_ptc_release_label_names(
    tiny_ptc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without articles/, the split takes the ids from the label file names, also in
    the PTC release's ``article<ID>.task2-TC.labels`` shape."""
    gold = tmp_path / "gold"
    (gold / "labels-tc").mkdir(parents=True)
    for path in (tiny_ptc / "labels-tc").glob("*.labels"):
        (gold / "labels-tc" / f"{path.stem}.task2-TC.labels").write_text(path.read_text())
    pred = tmp_path / "pred.txt"
    pred.write_text((tiny_ptc / "labels-tc" / "article1.labels").read_text())
    assert main(["semeval", "score", "tc", str(gold), str(pred), "--split", "train"]) == 0
    gold_count = sum(len(read_labels(p)) for p in (tiny_ptc / "labels-tc").glob("*.labels"))
    overall = _overall(capsys.readouterr().out)
    assert overall[1] == "1.0000"  # precision: every line of article 1 is gold
    assert overall[-2:] == [str(len(read_labels(pred))), str(gold_count)]
