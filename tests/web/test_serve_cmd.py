"""``propscope serve`` is a command with the documented options."""

from __future__ import annotations

from propscope.cli.app import main


def test_serve_is_registered_with_its_options(capsys) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--db", "--host", "--port", "--read-only", "--detector"):
        assert option in out
    assert "127.0.0.1" in out


def test_serve_refuses_a_bad_port(capsys) -> None:
    assert main(["serve", "--port", "70000"]) == 2
    assert "PS001" in capsys.readouterr().err


def test_read_only_refuses_a_missing_database(tmp_path, capsys) -> None:
    assert main(["serve", "--read-only", "--db", str(tmp_path / "missing.db")]) == 2
    assert "PS601" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()
