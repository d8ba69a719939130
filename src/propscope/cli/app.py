"""The Typer application: one module per group of commands, registered here.

Every :class:`~propscope.errors.PropscopeError` becomes one line on stderr and exit
code 2; so does every usage error the argument parser raises (an unknown option, a
missing argument, a bad value), as a :class:`~propscope.errors.UsageError` (PS001).
Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any

import typer
import typer.main

from propscope.errors import PropscopeError, UsageError
from propscope.present.safe import printable

app = typer.Typer(
    name="propscope",
    help="Find propaganda techniques in news and state media, span by span.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def package_version() -> str:
    """The installed distribution's version (``propscope.__version__`` reads it)."""
    from propscope import __version__

    return __version__


def _show_version(value: bool) -> None:
    if value:
        print(f"propscope {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_show_version,
        help="Print propscope's version and exit.")] = False,
) -> None:
    """Find propaganda techniques in news and state media, span by span."""


def _register() -> None:
    # Each command module keeps its commands on a Typer of its own and never imports
    # this one, so the package has no import cycle; here they join the one app.
    # (add one line per command module, keep them sorted)
    from propscope.cli import (
        analyze_cmd,
        report_cmd,
        semeval_cmd,
        serve_cmd,
        store_cmd,
        token_cmd,
        train_cmd,
    )

    for module in (analyze_cmd, store_cmd, report_cmd, serve_cmd, train_cmd):
        app.registered_commands.extend(module.commands.registered_commands)
    app.add_typer(semeval_cmd.semeval_app, name="semeval")
    app.add_typer(token_cmd.token_app, name="token")


_register()


def cli_command() -> Any:
    """The click command tree of :data:`app`, with help that shows no ``<bool>`` for a
    flag: typer ≥ 0.22 writes a type placeholder for every option, though a flag
    (``--raw``, ``--repair/--no-repair``, ``--help``) takes no value."""
    command = typer.main.get_command(app)
    _quiet_flags(command)
    return command


def _quiet_flags(command: Any) -> None:
    params = list(getattr(command, "params", ()))
    get_help_option = getattr(command, "get_help_option", None)
    if callable(get_help_option):
        context_class = getattr(command, "context_class", None)
        if context_class is not None:
            params.append(get_help_option(context_class(command)))
    for param in params:
        if getattr(param, "is_flag", False) and getattr(param, "metavar", None) is None:
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        _quiet_flags(sub)


def _parser_exceptions(name: str) -> tuple[type[BaseException], ...]:
    """The classes ``name`` (ClickException, Abort, Exit) from click and from the copy
    typer vendors (``typer._click``, typer ≥ 0.22): which one the parser raises depends
    on the installed versions, so both are caught, by base class."""
    found: list[type[BaseException]] = []
    for module in ("click.exceptions", "typer._click.exceptions", "typer.exceptions"):
        try:
            cls = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in found:
            found.append(cls)
    return tuple(found)


_CLICK_ERRORS = _parser_exceptions("ClickException")
_ABORTS = _parser_exceptions("Abort")
_EXITS = _parser_exceptions("Exit")


def _usage_error(exc: BaseException) -> UsageError:
    """The parser's exception as one PS001 line: its message, and the --help to read."""
    format_message = getattr(exc, "format_message", None)
    message = format_message() if callable(format_message) else str(exc)
    # typer's coercion prefixes pydantic-style "Value error, " to what it says
    message = " ".join(str(message).replace("Value error, ", "").split())
    message = message or type(exc).__name__
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", None) or "propscope"
    return UsageError(message, fix=f"see {command} --help")


def _print_help(exc: BaseException) -> int:
    """Bare ``propscope`` (or a bare group): its help on stdout, exit 0."""
    ctx = getattr(exc, "ctx", None)
    print(ctx.get_help() if ctx is not None else str(exc))
    return 0


def main(argv: list[str] | None = None) -> int:
    """The console script: run the command, and turn every user-facing failure into
    one line on stderr with its code."""
    try:
        result = cli_command().main(args=argv, standalone_mode=False, prog_name="propscope")
        if isinstance(result, int):
            return result
    except PropscopeError as err:
        print(printable(err.one_line(), one_line=True), file=sys.stderr)
        return 2
    except _CLICK_ERRORS as exc:  # usage errors, and the rare FileError: the command line
        if type(exc).__name__ == "NoArgsIsHelpError":
            return _print_help(exc)
        print(printable(_usage_error(exc).one_line(), one_line=True), file=sys.stderr)
        return 2
    except _ABORTS:
        print("aborted", file=sys.stderr)
        return 130
    except _EXITS as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
