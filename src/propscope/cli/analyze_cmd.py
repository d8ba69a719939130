"""``propscope analyze PATH|URL|- …``: find propaganda techniques in files, pages or stdin.

It parses arguments and prints; the reading is the library's.  Inputs go through
:func:`propscope.ingest.inputs.read_documents`, the one routing ``ingest`` uses too:
HTML (with or without a suffix) is extracted, every record of a JSON, JSON-lines,
CSV, WARC or feed file is analysed, page furniture is set apart, fused names are
repaired with one name lexicon for the run, and every input gets the same checks
(missing, special file, empty, binary, too large, undecodable).  ``--raw`` analyses
text (a text file, text on stdin) exactly as it is, only normalised.  The documents
go to :func:`propscope.analyze_many`; the results are printed in the chosen format.
With ``--db`` it analyses what a database holds that the detector has not analysed
yet (:func:`propscope.batch.analyze_database`; with ``--workers``/``--cluster``, on
Dask: :func:`propscope.scale.analyze_cluster`); with no input at all, the default
database (``$PROPSCOPE_DB`` or ``./propscope.db``) when there is one.  Nothing here
changes a span.
"""

from __future__ import annotations

import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from propscope.batch import analyze_database
from propscope.cli.options import (
    AllowNetworkOption,
    AllowPrivateOption,
    ClusterOption,
    WorkersOption,
)
from propscope.cli.report import print_report, progress_bar
from propscope.errors import EmptyInput, InputError, OutputError, UsageError
from propscope.ingest.decode import DEFAULT_MAX_BYTES
from propscope.ingest.inputs import read_documents
from propscope.ingest.types import IngestOptions
from propscope.model import AnalysedDocument
from propscope.pipeline import READING_MIN_SCORE, analyze_many


class Format(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    html = "html"

# Gathered by propscope.cli.app; no module imports the app (no import cycle).
commands = typer.Typer()


@commands.command("analyze")
def analyze_command(
    ctx: typer.Context,
    paths: Annotated[list[str] | None, typer.Argument(
        metavar="PATH|URL|-", help="Files (.txt, .html, …) or URLs to analyse; - reads "
        "standard input.", show_default=False)] = None,
    output_format: Annotated[Format, typer.Option(
        "--format", "-f", help="text (terminal), json, jsonl, csv or html.")] = Format.text,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of standard output.")] = None,
    detector: Annotated[str, typer.Option(
        "--detector", "-d", help="A detector name (fast), name and version (fast.v1) or "
        "full id; default is the shipped one.")
    ] = "default",
    max_bytes: Annotated[int, typer.Option(
        "--max-bytes", min=1, help="Refuse an input larger than this many bytes.")
    ] = DEFAULT_MAX_BYTES,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Decode inputs with this codec instead of UTF-8.")] = None,
    min_score: Annotated[float, typer.Option(
        "--min-score", min=0.0, max=1.0, help="Show only spans scoring at least this: the "
        "estimated chance, calibrated on PTC articles the model never saw, that an "
        "annotator would mark the span with its technique; 0 shows every span.")
    ] = READING_MIN_SCORE,
    raw: Annotated[bool, typer.Option(
        "--raw", help="Analyse text files as they are: no furniture removal, no repair.")
    ] = False,
    allow_private: AllowPrivateOption = False,
    allow_network: AllowNetworkOption = None,
    db: Annotated[str | None, typer.Option(
        "--db", help="Analyse the documents of this database (SQLite file or "
        "postgresql:// URL) not yet analysed by the detector.  With no input at all: "
        "$PROPSCOPE_DB, else ./propscope.db, when there is one.", show_default=False)] = None,
    since: Annotated[datetime | None, typer.Option(
        "--since", formats=["%Y-%m-%d"], help="With --db: only documents published on or "
        "after this date (YYYY-MM-DD).")] = None,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
) -> None:
    """Find propaganda techniques in text, span by span."""
    paths = paths or []
    if db is None and not paths:
        db = _default_db_if_present()
    if db is not None:
        if paths:
            raise UsageError("give either files/URLs or --db, not both")
        _refuse_file_options(ctx)
        day = since.date() if since else None
        with progress_bar("analysing", quiet=False) as bar:
            if workers is None and cluster is None:
                report = analyze_database(db, detector, day, bar)
            else:
                from propscope.scale import analyze_cluster

                report = analyze_cluster(db, detector, day, bar, workers=workers,
                                         address=cluster)
        print_report(report)
        raise typer.Exit(1 if report.counts.get("errors") else 0)
    if since is not None:
        raise UsageError("--since goes with --db: it picks stored documents by date")
    if workers is not None or cluster is not None:
        raise UsageError("--workers and --cluster go with --db: a cluster analyses what a "
                         "PostgreSQL database holds", fix="store the inputs first with "
                         "propscope ingest --db postgresql://…")
    if not paths:
        raise InputError("nothing to analyse: no file or URL given, and no database at "
                         "$PROPSCOPE_DB or ./propscope.db",
                         fix="give a file, a URL, - for stdin, or --db")
    if paths.count("-") > 1:
        raise InputError("standard input (-) can be read only once")
    options = IngestOptions(max_bytes=max_bytes, encoding=encoding, allow_private=allow_private,
                            allow_networks=tuple(allow_network or ()))
    documents = list(read_documents(paths, options, raw=raw))
    if not documents:
        raise EmptyInput("the inputs hold no document")
    results = analyze_many(documents, detector, min_score=min_score)
    if output_format is Format.text:
        _print_text(results, output)
    else:
        _write(_render(results, output_format), output)


FILE_OPTIONS = ("output_format", "output", "min_score", "raw", "encoding", "max_bytes", "allow_private",
                "allow_network")
"""Options that shape how files are read or results written: ``--db`` stores its
results in the database and reads nothing, so giving one with it is a mistake."""


def _refuse_file_options(ctx: typer.Context) -> None:
    given = [param for param in ctx.command.params
             if param.name in FILE_OPTIONS and _given(ctx, param.name)]
    if given:
        flags = ", ".join(param.opts[0] for param in given)
        raise UsageError(f"{flags} cannot go with --db: the results are stored in the "
                         "database", fix="see them with propscope export or propscope stats")


def _given(ctx: typer.Context, name: str) -> bool:
    """Whether the user typed the option (not its default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def _default_db_if_present() -> str | None:
    """With no inputs, ``analyze`` analyses the default database (``$PROPSCOPE_DB`` or
    ``./propscope.db``), as after ``propscope ingest SOURCE`` — if there is one."""
    from propscope.store import default_db, is_postgres_url

    db = default_db()
    return db if is_postgres_url(db) or Path(db.removeprefix("sqlite:///")).is_file() else None


def _render(results: list[AnalysedDocument], output_format: Format) -> str:
    from propscope.present import export, html

    if output_format is Format.html:
        return html.render_html(results)
    renderers = {Format.json: export.to_json, Format.jsonl: export.to_jsonl,
                 Format.csv: export.to_csv}
    return renderers[output_format](results)


def _print_text(results: list[AnalysedDocument], output: Path | None) -> None:
    from propscope.present.terminal import make_console, print_report

    if output is None:
        _tolerate_narrow_stdout()
        print_report(results, make_console())
        return
    try:
        with output.open("w", encoding="utf-8") as handle:
            print_report(results, make_console(handle, colour=False))
    except OSError as exc:
        raise OutputError.writing(output, exc) from exc


def _tolerate_narrow_stdout() -> None:
    """For a person reading a terminal whose encoding lacks a character (a Latin-1
    locale, ``PYTHONIOENCODING=ascii``): show ``?`` rather than fail."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    if reconfigure is not None and encoding not in ("utf8", "utf16", "utf32"):
        reconfigure(errors="replace")


def _write(content: str, output: Path | None) -> None:
    if output is None:
        # Machine formats are UTF-8 whatever the locale says: a character replaced
        # to suit a narrow terminal would shift every offset after it.
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(content)
        else:
            sys.stdout.flush()
            buffer.write(content.encode("utf-8"))
            buffer.flush()
        return
    try:
        output.write_text(content, encoding="utf-8", newline="")  # bytes as rendered
    except OSError as exc:
        raise OutputError.writing(output, exc) from exc
