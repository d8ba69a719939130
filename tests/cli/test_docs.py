"""Every flag of every command (sub-apps included) is documented in ``docs/*.md`` as
``--help`` prints it, and every error code ``analyze`` can give is documented.

Why: a flag that only ``--help`` knows about is one a reader of the docs never finds,
and a renamed flag leaves the docs describing one that no longer exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from propscope.cli.app import cli_command

DOCS = Path(__file__).resolve().parents[2] / "docs"
DOC = DOCS / "cli-and-api.md"


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _commands(sub, (*path, name))
    return found


def _flags(command: Any) -> list[str]:
    """The flags ``--help`` prints for ``command``: every name of every visible option."""
    flags = []
    for param in command.params:
        if getattr(param, "hidden", False) or param.param_type_name != "option":
            continue
        flags += [name for name in (*param.opts, *param.secondary_opts) if name.startswith("-")]
    return flags


def _sections(key: str) -> str:
    """Every section of ``docs/*.md`` whose heading names ``key`` (``propscope
    export``), down to the next heading of the same or a higher level: a flag must
    be documented where its command is, not merely somewhere."""
    found = []
    pattern = re.compile(rf"{re.escape(key)}(?![\w-])")
    for path in sorted(DOCS.glob("*.md")):
        lines = re.sub(r"```.*?```", lambda m: m[0].replace("\n#", "\n "),
                       path.read_text(encoding="utf-8"), flags=re.S).split("\n")
        for i, line in enumerate(lines):
            level = len(line) - len(line.lstrip("#"))
            if not (level and line[level:].startswith(" ") and pattern.search(line)):
                continue
            end = next((j for j in range(i + 1, len(lines))
                        if (n := len(lines[j]) - len(lines[j].lstrip("#")))
                        and n <= level and lines[j][n:].startswith(" ")), len(lines))
            found.append("\n".join(lines[i:end]))
    return "\n".join(found)


def _code_spans(text: str) -> str:
    """The inline code and code blocks of ``text``, where flags are written."""
    blocks = re.findall(r"```.*?```", text, flags=re.S)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    return "\n".join(blocks + inline)


def _key(path: tuple[str, ...]) -> str:
    """The heading that documents a command: its top-level command (a sub-app's
    section covers its subcommands); ``propscope --version`` for the root."""
    return f"propscope {path[0]}" if path else "propscope --version"


COMMANDS = _commands(cli_command())


@pytest.mark.parametrize(("path", "command"), COMMANDS,
                         ids=[" ".join(p) or "propscope" for p, _ in COMMANDS])
def test_every_flag_of_every_command_is_documented(path: tuple[str, ...], command: Any) -> None:
    section = _sections(_key(path))
    assert section, f"no heading in docs/*.md names {_key(path)}"
    code = _code_spans(section)
    missing = [flag for flag in _flags(command)
               if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", code)]
    assert not missing, f"propscope {' '.join(path)}: {missing} not in its section of docs/*.md"


def test_every_subcommand_is_named_in_its_section() -> None:
    for path, _ in COMMANDS:
        if len(path) > 1:
            assert f"propscope {' '.join(path)}" in _sections(_key(path)), " ".join(path)


def test_analyze_arguments_are_documented() -> None:
    assert "`PATH …`" in DOC.read_text(encoding="utf-8")


def test_every_input_error_code_is_documented() -> None:
    from propscope import errors

    text = DOC.read_text(encoding="utf-8")
    codes = {
        cls.code for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, (errors.InputError, errors.UsageError))
    }
    documented = set(re.findall(r"PS[01]\d\d", text))
    assert codes - {"PS106"} <= documented  # PS106: formats analyze does not read
