"""The report over a store, on SQLite and PostgreSQL: content, increments, filters, faces."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from propscope.analytics import render_html, report
from propscope.cli.app import main
from propscope.model import Document
from propscope.store import Store, open_store

from .conftest import DETECTOR, fill


def test_report_finds_leaders_appearances_officials_and_targets(kcna_store: Store) -> None:
    found = report(kcna_store)
    assert found.meta["detector"] == DETECTOR
    people = {p["id"]: p for p in found.people}
    assert people["kim-jong-un"]["texts"] == 2 and people["kim-jong-il"]["texts"] == 2
    assert people["kim-jong-un"]["honorifics"]["respected"] == 4
    assert [(a["person"], a["event"], a["day"]) for a in found.appearances] == [
        ("kim-jong-il", "inspection", "2011-10-19"),
        ("kim-jong-il", "field guidance", "2011-11-03"),  # a Thursday
        ("kim-jong-un", "visit", "2012-05-24"),
    ]
    jang = next(o for o in found.officials if o["name"] == "Jang Song Thaek")
    assert jang["appearances"] == 3 and jang["mean_position"] == pytest.approx(5 / 3, abs=0.01)
    targets = {t["target"]: t for t in found.targets}
    # "warmongers" names a generic target; the named one in its sentence wins.
    assert targets["south Korea"]["labels"] == {"puppet traitors": 1, "reckless": 1,
                                                "warmongers": 1}
    assert "enemies" not in targets
    assert targets["the U.S."]["first_seen"] == "2011-11-03"
    assert targets["Japan"]["attacks"] == 1
    assert "heroic" not in json.dumps(found.to_dict())  # praise is no attack
    kinds = {t["kind"] for t in found.trends}
    assert kinds >= {"leader", "target", "technique"}
    un = next(t for t in found.trends if t["item"] == "kim-jong-un")
    assert un["count_by_month"] == {"2011-10": 0, "2011-11": 0, "2012-05": 1, "2024-01": 1}
    assert "text_ids_by_month" not in json.dumps(found.to_dict())
    page = render_html(found)
    assert page.count("<svg") >= 4 and "Jang Song Thaek" in page


def test_rerun_reads_only_new_texts(kcna_store: Store) -> None:
    assert report(kcna_store).meta["texts_read_now"] == {"leaders": 4, "targets": 4,
                                                         "slogans": 4, "reuse": 4}
    assert set(report(kcna_store).meta["texts_read_now"].values()) == {0}
    fill(kcna_store, [Document(text="Kim Jong Un inspected a farm.", published=date(2024, 6, 1),
                               outlet="KCNA")])
    again = report(kcna_store)
    assert set(again.meta["texts_read_now"].values()) == {1}
    assert len(again.appearances) == 4


def test_since_and_outlet_filter(kcna_store: Store) -> None:
    since = report(kcna_store, since=date(2012, 1, 1))
    assert {p["id"] for p in since.people} == {"kim-jong-un"}
    assert report(kcna_store, outlet="TASS").people == []


def test_without_a_detector_there_are_no_targets(store_url: str) -> None:
    with open_store(store_url) as store:
        from .conftest import stories

        fill(store, stories(), analyse=False)
        found = report(store)
    assert found.targets == [] and found.meta["detector"] is None
    assert len(found.appearances) == 3
    assert "No detector has analysed this store" in render_html(found)


def test_html_is_offline_and_escapes_corpus_text(store_url: str) -> None:
    with open_store(store_url) as store:
        fill(store, [Document(text="Kim Jong Un inspected the <script>alert(1)</script> plant.",
                              published=date(2024, 1, 1), outlet="KCNA")])
        page = render_html(report(store))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "default-src 'none'" in page


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_json_and_html(kcna_store: Store, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    code, _, err = _run(capsys, "report", "--db", kcna_store.url, "-f", "json", "-o", str(out),
                        "--since", "2012-01-01")
    assert code == 0, err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["meta"]["since"] == "2012-01-01" and len(data["appearances"]) == 1
    html_out = tmp_path / "r.html"
    code, _, err = _run(capsys, "report", "--db", kcna_store.url, "-o", str(html_out))
    assert code == 0 and html_out.read_text(encoding="utf-8").startswith("<!doctype"), err


@pytest.mark.parametrize(
    ("args", "code"),
    [(["--since", "yesterday"], "PS001"), (["-f", "pdf"], "PS001"),
     (["-o", "/nonexistent/dir/r.html"], "PS701")],
)
def test_cli_refuses_bad_input(kcna_store: Store, args: list[str], code: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "report", "--db", kcna_store.url, *args)
    assert status == 2 and f"error {code}: " in err, err


def test_cli_refuses_a_missing_database(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "report", "--db", str(tmp_path / "none.db"))
    assert status == 2 and err.startswith("error PS601: "), err


def test_slogans_read_every_text_not_only_the_analysed(store_url: str) -> None:
    with open_store(store_url) as store:
        fill(store, [Document(text="Long live the red flag of Songun! Glory to the workers!",
                              published=date(2024, 1, 1), outlet="KCNA")])
        fill(store, [Document(text="Long live the red flag of Songun! Forward, comrades!",
                              published=date(2024, 2, 1), outlet="KCNA")], analyse=False)
        found = report(store)
    assert found.meta["texts_read_now"]["targets"] == 1
    assert found.meta["texts_read_now"]["slogans"] == 2
    assert found.slogans["top"][0]["text"] == "long live the red flag of songun"


def test_trends_are_per_outlet_when_the_store_holds_several(kcna_store: Store) -> None:
    fill(kcna_store, [Document(text="Kim Jong Un met the envoy.", published=date(2024, 1, 3),
                               outlet="Rodong Sinmun")])
    names = {t["name"] for t in report(kcna_store).trends}
    assert {"KCNA · leader: Kim Jong Un", "Rodong Sinmun · leader: Kim Jong Un"} <= names
    one = report(kcna_store, outlet="Rodong Sinmun").trends
    assert [t["name"] for t in one if t["kind"] == "leader"] == ["leader: Kim Jong Un"]
    assert one[0]["share_by_month"] == {"2024-01": 1.0}


def test_a_changed_lexicon_rereads_every_text_once(kcna_store: Store, tmp_path: Path) -> None:
    report(kcna_store)
    extra = tmp_path / "extra.toml"
    extra.write_text('[[person]]\nname = "Jang Song Thaek"\n', encoding="utf-8")
    again = report(kcna_store, lexicon=["dprk", extra])
    assert set(again.meta["texts_read_now"].values()) == {4}
    assert "jang-song-thaek" in {p["id"] for p in again.people}
    assert set(report(kcna_store, lexicon=["dprk", extra]).meta["texts_read_now"].values()) == {0}


def test_paging_reads_each_text_once_across_pages(store_url: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from propscope.analytics import stages

    monkeypatch.setattr(stages, "BATCH", 2)
    with open_store(store_url) as store:
        def add(first: int, n: int, *, analyse: bool) -> None:
            fill(store, [Document(text=f"Kim Jong Un inspected farm number {i}.",
                                  published=date(2024, 1, 1 + i), outlet="KCNA")
                         for i in range(first, first + n)], analyse=analyse)

        add(0, 3, analyse=True)
        add(3, 2, analyse=False)  # not analysed: no targets for these
        assert report(store).meta["texts_read_now"] == {
            "leaders": 5, "targets": 3, "slogans": 5, "reuse": 5}
        add(5, 3, analyse=True)
        again = report(store)
    assert again.meta["texts_read_now"] == {"leaders": 3, "targets": 3, "slogans": 3, "reuse": 3}
    assert len(again.appearances) == 8


def test_an_undated_archive_has_trends_by_order_of_storing(store_url: str,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    from propscope.analytics import aggregate

    monkeypatch.setattr(aggregate, "UNDATED_BUCKET", 2)
    with open_store(store_url) as store:
        ids = fill(store, [Document(text=f"Story {i} about {'Kim Jong Un' if i >= 2 else 'rice'}.",
                                    outlet="Tehran Times") for i in range(4)], analyse=False)
        trend = next(t for t in report(store).trends if t["item"] == "kim-jong-un")
    buckets: dict[str, list[bool]] = {}
    for n, text_id in enumerate(ids):  # stories 2 and 3 name him
        buckets.setdefault(f"#{text_id // 2 * 2:07d}", []).append(n >= 2)
    assert len(buckets) >= 2
    assert trend["share_by_month"] == {k: sum(v) / len(v) for k, v in buckets.items()}
