"""Usage errors: one ``error PS001`` line on stderr and exit 2, never a traceback;
``--version``; bare ``propscope`` prints its help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from propscope.cli.app import package_version

from .conftest import Run


def assert_usage_error(result: tuple[int, str, str], *phrases: str) -> None:
    status, out, err = result
    assert status == 2, err
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error PS001: "), err
    assert "Traceback" not in err
    for phrase in phrases:
        assert phrase in err


@pytest.mark.parametrize(
    ("args", "phrases"),
    [
        (["export", "--db", "k.db"], ["--output", "propscope export --help"]),
        (["search", "--db", "k.db"], ["Missing argument", "query"]),
        (["analyze", "seed.txt", "-f", "pdf"], ["'pdf' is not one of"]),
        (["analyze", "--db", "k.db", "--since", "2024-13-01"], ["--since", "2024-13-01"]),
        (["analyze", "--no-such-flag"], ["No such option: --no-such-flag"]),
        (["no-such-command"], ["No such command"]),
        (["--no-such-flag"], ["No such option"]),
        (["search", "x", "--limit", "0"], ["--limit"]),
    ],
    ids=["export-no-output", "search-no-query", "bad-format", "bad-date", "bad-flag",
         "bad-command", "bad-global-flag", "out-of-range"],
)
def test_usage_errors_are_one_line(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   args: list[str], phrases: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seed.txt").write_text("vile lies")
    assert_usage_error(run(*args), *phrases)


def test_version(run: Run) -> None:
    code, out, err = run("--version")
    assert code == 0 and err == ""
    assert out == f"propscope {package_version()}\n"
    assert package_version()[0].isdigit()


def test_bare_propscope_prints_help(run: Run) -> None:
    code, out, err = run()
    assert code == 0 and err == ""
    assert "Usage" in out and "analyze" in out and "--version" in out


def test_a_real_process_gives_one_usage_line() -> None:
    done = subprocess.run([sys.executable, "-m", "propscope", "analyze", "-", "-f", "pdf"],
                          capture_output=True, text=True, timeout=120, check=False, input="")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error PS001: ") and done.stderr.count("\n") == 1, done.stderr


def test_a_real_process_prints_its_version() -> None:
    done = subprocess.run([sys.executable, "-m", "propscope", "--version"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.startswith("propscope ")
