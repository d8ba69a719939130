"""Helpers for driving the CLI in-process: ``run(args, stdin=…)`` → (code, out, err)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

import pytest
from present.keywords import KeywordDetector  # noqa: F401  (registers "keywords")

from propscope.cli.app import main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture()
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    def invoke(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke
