"""One vocabulary across commands: the same option reads the same everywhere, help
shows no ``<bool>`` for a flag, and ``train --help`` shows what the README uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from propscope.cli.app import cli_command

from .conftest import Run


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path] if path else []
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _commands(sub, (*path, name))
    return found


ALL = _commands(cli_command())


def _help(run: Run, monkeypatch: pytest.MonkeyPatch, *path: str) -> str:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run(*path, "--help")
    assert code == 0, err
    return out


def test_every_command_is_found() -> None:
    assert {("analyze",), ("ingest",), ("export",), ("train",), ("semeval", "si")} <= set(ALL)


@pytest.mark.parametrize("path", [(), *ALL], ids=lambda p: " ".join(p) or "propscope")
def test_help_shows_no_bool_placeholder(run: Run, monkeypatch: pytest.MonkeyPatch,
                                        path: tuple[str, ...]) -> None:
    assert "<bool>" not in _help(run, monkeypatch, *path)


@pytest.mark.parametrize("path", [p for p in ALL if p[0] in
                                  ("analyze", "ingest", "search", "export", "stats", "watch")])
def test_db_help_says_the_default(run: Run, monkeypatch: pytest.MonkeyPatch,
                                  path: tuple[str, ...]) -> None:
    text = " ".join(_help(run, monkeypatch, *path).replace("│", " ").split())
    assert "$PROPSCOPE_DB" in text and "./propscope.db" in text


@pytest.mark.parametrize("path", [("analyze",), ("ingest",), ("search",), ("export",),
                                  ("stats",), ("watch",)])
def test_every_command_with_output_formats_takes_format(
    run: Run, monkeypatch: pytest.MonkeyPatch, path: tuple[str, ...]
) -> None:
    text = _help(run, monkeypatch, *path)
    assert "--format" in text and "-f" in text
    assert "--json" not in text  # kept working, hidden


def test_train_help_shows_the_readme_options(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _help(run, monkeypatch, "train")
    for flag in ("--device", "--refit", "--crf-blend", "--sweep"):
        assert flag in text


def test_train_passes_the_named_options_to_the_engine(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from propscope.cli import train_cmd

    seen: dict[str, Any] = {}

    def engine(data: str | None, split: str, output: Path, options: dict[str, str]) -> None:
        seen.update(options)

    monkeypatch.setattr(train_cmd, "engine_function", lambda name: engine)
    code, _, err = run("train", "--engine", "neural", "-o", str(tmp_path / "m.json"),
                       "--device", "cpu", "--refit", "false", "--crf-blend", "true",
                       "--sweep", '[{"epochs": 1}]', "--epochs", "2")
    assert code == 0, err
    assert seen == {"device": "cpu", "refit": "false", "crf_blend": "true",
                    "sweep": '[{"epochs": 1}]', "epochs": "2"}
    code, _, err = run("train", "-o", str(tmp_path / "m"), "--refit", "maybe")
    assert code == 2 and err.startswith("error PS001: ")


@pytest.mark.parametrize("name", ["keywords", "keywords.v1"])
def test_analyze_takes_a_name_or_name_and_version(run: Run, tmp_path: Path, name: str) -> None:
    path = tmp_path / "a.txt"
    path.write_text("vile lies")
    code, out, err = run("analyze", str(path), "-d", name, "-f", "json")
    assert code == 0, err
    assert '"detector": "keywords.v1' in out
