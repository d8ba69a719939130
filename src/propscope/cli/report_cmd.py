"""``propscope report``: corpus intelligence over a store, as one offline HTML page or
JSON — leaders and their titles, appearances with officials in order, targets of
attack, slogans, reused passages, trends with change points.

It parses, calls :func:`propscope.analytics.report` and writes; nothing else.  The
analysis lives in :mod:`propscope.analytics`, so the web and scripts get the same data.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from propscope.cli.options import DbOption
from propscope.errors import OutputError
from propscope.store import default_db, open_store

# Gathered by propscope.cli.app; no module imports the app (no import cycle).
commands = typer.Typer()


class ReportFormat(str, Enum):
    html = "html"
    json = "json"


@commands.command("report")
def report_command(
    db: DbOption = None,
    since: Annotated[datetime | None, typer.Option(
        "--since", formats=["%Y-%m-%d"], help="Only texts published on or after this day "
        "(YYYY-MM-DD).")] = None,
    outlet: Annotated[str | None, typer.Option(
        "--outlet", help="Only texts of this outlet (as stored, e.g. KCNA).")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default: standard output).")] = None,
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", "-f", help="html (one offline page) or json.")] = ReportFormat.html,
    lexicon: Annotated[list[str] | None, typer.Option(
        "--lexicon", help="Country file(s): a bundled name (dprk, iran, russia) or a "
        ".toml path; repeat to merge (default: dprk).")] = None,
    detector: Annotated[str | None, typer.Option(
        "--detector", "-d", help="Whose spans give the targets: a name (fast), name and "
        "version (fast.v1) or full id (default: the most recent).")] = None,
) -> None:
    """Leaders, appearances, targets, slogans, reused passages and trends of a store.

    Reads only the texts not read before (results are kept in the database), then
    writes one offline HTML page or the same data as JSON."""
    # Here, not at the top: every command imports this module, only `report` needs them.
    from propscope.analytics.html import render_html
    from propscope.analytics.reporting import report

    with open_store(db or default_db(), create=False) as store:
        found = report(store, since=since.date() if since else None, outlet=outlet,
                       lexicon=lexicon or None, detector=detector)
    read = found.meta.get("texts_read_now", {})
    print("texts read now: " + ", ".join(f"{k} {v:,}" for k, v in read.items()),
          file=sys.stderr)
    text = (json.dumps(found.to_dict(), ensure_ascii=False, indent=1)
            if fmt is ReportFormat.json else render_html(found))
    if output is None:
        sys.stdout.write(text + "\n")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError.writing(output, exc) from exc
    print(f"wrote {output}", file=sys.stderr)
