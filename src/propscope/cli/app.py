"""The Typer application: one module per group of commands, registered here.

Every :class:`~propscope.errors.PropscopeError` becomes one line on stderr and exit
code 2; any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys

import typer

from propscope.errors import PropscopeError

app = typer.Typer(
    name="propscope",
    help="Find propaganda techniques in news and state media, span by span.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Each command module adds its commands to `app` (or a sub-app) when imported.
    # (helpers: add one line per command module, keep them sorted)
    from propscope.cli import (
        analyze_cmd,  # noqa: F401
        semeval_cmd,  # noqa: F401
        store_cmd,  # noqa: F401
        train_cmd,  # noqa: F401
    )


_register()


def main(argv: list[str] | None = None) -> int:
    try:
        result = app(args=argv, standalone_mode=False)
        if isinstance(result, int):
            return result
    except PropscopeError as err:
        print(err.one_line(), file=sys.stderr)
        return 2
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:  # typer.Exit inside commands
        return int(exc.code or 0)
    except Exception as exc:  # click usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
