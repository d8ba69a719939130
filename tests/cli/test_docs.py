"""Every option of ``propscope analyze`` and every error code it can give is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from propscope.cli.app import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli-and-api.md"


def test_every_analyze_option_is_documented() -> None:
    command = typer.main.get_command(app).commands["analyze"]  # type: ignore[attr-defined]
    text = DOC.read_text(encoding="utf-8")
    for param in command.params:
        for name in param.opts:
            if name.startswith("-"):
                assert f"`{name}" in text or f"{name}`" in text, f"{name} is not in {DOC.name}"
    assert "`PATH …`" in text


def test_every_input_error_code_is_documented() -> None:
    from propscope import errors

    text = DOC.read_text(encoding="utf-8")
    codes = {
        cls.code for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.InputError)
    }
    documented = set(re.findall(r"PS1\d\d", text))
    assert codes - {"PS106"} <= documented  # PS106: formats analyze does not read
