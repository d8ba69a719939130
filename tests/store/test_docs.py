"""docs/storage.md documents every database command and every one of its options."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from propscope.cli.app import app

COMMANDS = ("ingest", "search", "export", "stats", "watch")


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_is_documented(repo_root: Path, name: str) -> None:
    docs = (repo_root / "docs" / "storage.md").read_text(encoding="utf-8")
    found = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    assert f"propscope {name}" in docs
    options = [p for p in found.params if p.param_type_name == "option" and p.name != "help"]
    assert options or name == "stats"
    for param in options:
        assert any(opt in docs for opt in param.opts), f"{name} {param.opts} undocumented"
