"""``propscope report``: the command function, ready for the app to register with
``app.command("report")(report_command)``.

It parses, calls :func:`propscope.analytics.report` and writes; nothing else.  Errors
are :class:`~propscope.errors.PropscopeError` subclasses, which the app turns into one
line and exit code 2.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from propscope.analytics.html import render_html
from propscope.analytics.reporting import report
from propscope.errors import InputError, OutputError
from propscope.store import default_db, open_store

FORMATS = ("html", "json")


def _since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--since {value!r} is not a YYYY-MM-DD date",
                         fix="write the date as 2024-01-31") from None


def report_command(
    db: Annotated[str | None, typer.Option(
        "--db", help="SQLite file or postgresql:// URL (default: $PROPSCOPE_DB or "
        "./propscope.db).")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only texts published on or after this day (YYYY-MM-DD).")] = None,
    outlet: Annotated[str | None, typer.Option(
        "--outlet", help="Only texts of this outlet (as stored, e.g. KCNA).")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default: standard output).")] = None,
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="html (one offline page) or json.")] = "html",
    lexicon: Annotated[list[str] | None, typer.Option(
        "--lexicon", help="Country file(s): a bundled name (dprk, iran, russia) or a "
        ".toml path; repeat to merge (default: dprk).")] = None,
    detector: Annotated[str | None, typer.Option(
        "--detector", help="Whose spans give the targets (default: the most recent).")]
    = None,
) -> None:
    """Leaders, appearances, targets, slogans, reused passages and trends of a store.

    Reads only the texts not read before (results are kept in the database), then
    writes one offline HTML page or the same data as JSON."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}", fix=f"use one of: {', '.join(FORMATS)}")
    day = _since(since)
    with open_store(db or default_db(), create=False) as store:
        found = report(store, since=day, outlet=outlet, lexicon=lexicon or None,
                       detector=detector)
    read = found.meta.get("texts_read_now", {})
    print("texts read now: " + ", ".join(f"{k} {v:,}" for k, v in read.items()),
          file=sys.stderr)
    text = (json.dumps(found.to_dict(), ensure_ascii=False, indent=1) if fmt == "json"
            else render_html(found))
    if output is None:
        sys.stdout.write(text + "\n")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError.writing(output, exc) from exc
    print(f"wrote {output}", file=sys.stderr)
