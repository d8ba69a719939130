"""Database commands: ``ingest``, ``search``, ``export``, ``stats`` and ``watch``.

They parse, call :mod:`propscope.batch`, :mod:`propscope.store` and
:mod:`propscope.watch`, and print; nothing else.  Long runs show a Rich progress bar
on stderr and end with a run report (counts, then one line per failed item), so
stdout stays clean for ``--json``.  ``analyze --db`` lives with ``analyze``; the bar
and the report are :mod:`propscope.cli.report`'s.
"""

from __future__ import annotations

import json
import signal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from propscope.batch import INGEST_BATCH, analyze_store, ingest_documents, stored_detectors
from propscope.cli.options import (
    AllowNetworkOption,
    AllowPrivateOption,
    ClusterOption,
    DbOption,
    FormatOption,
    JsonOption,
    QuietOption,
    ReportFormat,
    WorkersOption,
    wants_json,
)
from propscope.cli.report import err_console as _err
from propscope.cli.report import print_report, progress_bar
from propscope.present.safe import printable
from propscope.store import default_db, open_store
from propscope.store.base import SearchPage
from propscope.store.dedup import redact
from propscope.store.export import FORMATS, export
from propscope.techniques import TECHNIQUES_BY_NAME

ExportFormat = Enum(  # type: ignore[misc]
    "ExportFormat", [(name, name) for name in FORMATS], type=str)
"""The store's export formats as a choice, so an unknown one is a usage error (PS001)."""

_out = Console()

# Gathered by propscope.cli.app; no module imports the app (no import cycle).
commands = typer.Typer()


@commands.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(
        help="Files, folders, URLs, feeds, sitemaps, WARC files, or - for stdin.")],
    db: DbOption = None,
    allow_private: AllowPrivateOption = False,
    allow_network: AllowNetworkOption = None,
    max_bytes: Annotated[int | None, typer.Option(
        "--max-bytes", help="Refuse items larger than this many bytes.")] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Read files in this encoding instead of detecting it.")] = None,
    text_field: Annotated[str, typer.Option(
        "--text-field", help="The field holding the text in JSON and CSV files.")] = "text",
    repair: Annotated[bool, typer.Option(
        "--repair/--no-repair", help="Repair names fused with their neighbours.")] = True,
    furniture: Annotated[bool, typer.Option(
        "--furniture/--no-furniture", help="Set page furniture (skip links, captions, "
        "cookie notices) apart from the article text.")] = True,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", min=0.1, help="Seconds before a fetch gives up (default 20).")] = None,
    rate_limit: Annotated[float | None, typer.Option(
        "--rate-limit", min=0, help="Requests per second per host (default 1; 0 = no "
        "limit).")] = None,
    retries: Annotated[int | None, typer.Option(
        "--retries", min=0, help="Retries on 5xx and timeouts, with backoff (default 2).")
    ] = None,
    robots: Annotated[bool, typer.Option(
        "--robots/--no-robots", help="Obey robots.txt.")] = True,
    user_agent: Annotated[str | None, typer.Option(
        "--user-agent", help="User-Agent header for fetches.")] = None,
    analyze: Annotated[bool, typer.Option(
        "--analyze", help="Analyse the new texts after storing them.")] = False,
    detector: Annotated[str, typer.Option(
        "--detector", "-d", help="Detector for --analyze: a name (fast), name and version "
        "(fast.v1) or full id.")] = "default",
    batch_size: Annotated[int, typer.Option(
        "--batch-size", min=1, help="Documents per transaction: a killed run loses at "
        "most one batch, which the next run stores.")] = INGEST_BATCH,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    output_format: FormatOption = ReportFormat.text,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> int:
    """Store documents from SOURCES: each distinct text once, every URL kept.

    Exit code 0 when every item was stored, 1 when some failed (they are listed in
    the run report), 2 when the run itself could not start."""
    from propscope.ingest import read_inputs
    from propscope.ingest.types import IngestOptions

    settings: dict[str, Any] = {"allow_private": allow_private, "text_field": text_field,
                                "allow_networks": tuple(allow_network or ()),
                                "repair": repair, "furniture": furniture,
                                "respect_robots": robots}
    for key, value in (("timeout", timeout), ("rate_limit", rate_limit),
                       ("retries", retries), ("user_agent", user_agent),
                       ("max_bytes", max_bytes), ("encoding", encoding)):
        if value is not None:  # not given: IngestOptions' default
            settings[key] = value
    options = IngestOptions(**settings)
    as_json = wants_json(output_format, as_json)
    if workers is not None or cluster is not None:
        return _ingest_on_cluster(db or default_db(), sources, options, workers, cluster,
                                  analyze=analyze, detector=detector, batch_size=batch_size,
                                  as_json=as_json, quiet=quiet)
    with open_store(db or default_db()) as store:
        with progress_bar("ingesting", quiet=quiet) as bar:
            report = ingest_documents(store, read_inputs(sources, options), progress=bar,
                                      batch_size=batch_size)
        print_report(report, as_json=as_json)
        failed = report.counts.get("errors", 0)
        if analyze:
            with progress_bar("analysing", quiet=quiet) as bar:
                analysis = analyze_store(store, detector, progress=bar)
            print_report(analysis, as_json=as_json)
            failed += analysis.counts.get("errors", 0)
    return 1 if failed else 0


def _ingest_on_cluster(
    db: str, sources: list[str], options: Any, workers: int | None, address: str | None,
    *, analyze: bool, detector: str, batch_size: int, as_json: bool, quiet: bool,
) -> int:
    """``ingest --workers/--cluster``: one Dask task per source, then (``--analyze``) the
    analysis on the same cluster."""
    from propscope.scale import analyze_cluster, ingest_cluster, open_client
    from propscope.scale.cluster import require_shared_store

    require_shared_store(db)  # before a cluster starts
    with open_client(workers=workers, address=address) as client:
        with progress_bar("ingesting", quiet=quiet) as bar:
            report = ingest_cluster(db, sources, options, bar, client=client,
                                    batch_size=batch_size)
        print_report(report, as_json=as_json)
        failed = report.counts.get("errors", 0)
        if analyze:
            with progress_bar("analysing", quiet=quiet) as bar:
                analysis = analyze_cluster(db, detector, progress=bar, client=client)
            print_report(analysis, as_json=as_json)
            failed += analysis.counts.get("errors", 0)
    return 1 if failed else 0


class SearchMode(str, Enum):
    stemmed = "stemmed"
    exact = "exact"


@commands.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to find; \"quoted phrases\" work.")],
    db: DbOption = None,
    mode: Annotated[SearchMode, typer.Option(
        "--mode", "-m", help="stemmed (provocations finds provocation) or exact "
        "(case-sensitive whole words: US is not us).")] = SearchMode.stemmed,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 20,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many of the "
                                        "best hits (to page on).")] = 0,
    output_format: FormatOption = ReportFormat.text,
    as_json: JsonOption = False,
) -> None:
    """Full-text search over the stored texts and titles."""
    as_json = wants_json(output_format, as_json)
    with open_store(db or default_db(), create=False) as store:
        page = store.search_page(query, mode=mode.value, limit=limit, offset=offset)
    if as_json:
        for hit in page.hits:
            print(json.dumps({"id": hit.text_id, "title": hit.title, "url": hit.url,
                              "published": hit.published.isoformat() if hit.published else None,
                              "snippet": hit.snippet, "rank": hit.rank}, ensure_ascii=False))
        _err.print(Text(_page_line(page)))
        return
    if not page.hits:
        _err.print(Text(_page_line(page)))
        return
    table = Table("id", "published", "title / url", "snippet", show_lines=True)
    for hit in page.hits:
        # Stored titles, URLs and texts are input: escapes shown, never obeyed.
        where = "\n".join(printable(x, one_line=True) for x in (hit.title, hit.url) if x)
        # Text, not markup: the snippet marks each match as [word], which Rich would
        # read as a style tag (dropping the word, or raising on a [/…] in the text).
        table.add_row(str(hit.text_id), str(hit.published or ""), Text(where),
                      Text(printable(hit.snippet, one_line=True)))
    _out.print(table)
    _err.print(Text(_page_line(page)))


def _page_line(page: SearchPage) -> str:
    """"21–40 of 164 texts" (on stderr, so JSON on stdout stays one object a line)."""
    if not page.hits:
        return f"no matches ({page.total:,} texts match, {page.mode})" if page.total else \
            f"no matches ({page.mode})"
    first, last = page.offset + 1, page.offset + len(page.hits)
    return f"{first:,}–{last:,} of {page.total:,} texts ({page.mode})"


@commands.command("export")
def export_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="File (or folder for "
                                         "semeval) to write.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="What to write.")]
    = ExportFormat.jsonl,  # type: ignore[attr-defined]
    db: DbOption = None,
    detector: Annotated[str | None, typer.Option(
        "--detector", "-d", help="Only this detector's spans: a name (fast), a name and "
        "version (fast.v1) or a full id.")] = None,
    defuse_formulas: Annotated[bool, typer.Option(
        "--defuse-formulas/--no-defuse-formulas", help="CSV: prefix cells that start with "
        "= + - @ with ' so a spreadsheet shows them instead of running them.")] = True,
) -> None:
    """Write the store's texts and spans as JSON lines, CSV, Parquet or a SemEval folder."""
    with open_store(db or default_db(), create=False) as store:
        if detector:
            stored_detectors(store, detector)  # none stored: say so, not an empty file
        count = export(store, fmt.value, output, detector=detector,
                       defuse_formulas=defuse_formulas)
    unit = "spans" if fmt.value in ("csv", "parquet") else "texts"
    _err.print(Text(f"wrote {count:,} {unit} to {printable(output, one_line=True)}"))


@commands.command()
def stats(db: DbOption = None, output_format: FormatOption = ReportFormat.text,
          as_json: JsonOption = False) -> None:
    """Counts: sources, URLs, distinct texts, analysed texts, spans per technique."""
    as_json = wants_json(output_format, as_json)
    with open_store(db or default_db(), create=False) as store:
        found = store.stats()
    if as_json:
        print(json.dumps(found.to_dict()))
        return
    title = Text(printable(redact(db or default_db()), one_line=True))
    table = Table(show_header=False, title=title, title_justify="left")
    table.add_column()
    table.add_column(justify="right")
    table.add_row("sources", f"{found.sources:,}")
    table.add_row("URLs", f"{found.urls:,}")
    table.add_row("distinct texts", f"{found.texts:,}")
    table.add_row("near-duplicate links", f"{found.near_duplicate_links:,}")
    table.add_row("runs", f"{found.runs:,}")
    for name, n in found.analysed.items():
        table.add_row(Text(f"analysed by {printable(name, one_line=True)}"), f"{n:,}")
    _out.print(table)
    for name, counts in found.spans.items():
        spans = Table("technique", title=Text(f"spans of {printable(name, one_line=True)}"),
                      title_justify="left")
        spans.add_column("spans", justify="right")
        for technique, n in counts.items():
            spans.add_row(Text(_display_name(technique)), f"{n:,}")
        _out.print(spans)


def _display_name(technique: str) -> str:
    """What a person reads ("Name calling / labelling"); ids stay in JSON."""
    known = TECHNIQUES_BY_NAME.get(technique)
    return known.display if known else printable(technique, one_line=True)


def _stop(signum: int, frame: object) -> None:
    """SIGTERM (systemd, ``docker stop``) ends ``watch`` as Ctrl-C does: the open
    transaction rolls back and everything committed stays."""
    raise KeyboardInterrupt


@commands.command()
def watch(
    schedule: Annotated[Path, typer.Argument(help="TOML file listing the feeds to poll.")],
    db: DbOption = None,
    rounds: Annotated[int | None, typer.Option(
        "--rounds", min=1, help="Stop after this many polls (default: run until stopped).")]
    = None,
    output_format: FormatOption = ReportFormat.text,
    as_json: JsonOption = False,
) -> None:
    """Poll feeds on a schedule; store and analyse each new item."""
    as_json = wants_json(output_format, as_json)
    from propscope.watch import Round, WatchConfig
    from propscope.watch import watch as run_watch

    config = WatchConfig.read(schedule)

    def report(poll: Round) -> None:
        _err.print(f"polled {len(poll.feeds)} feed(s)")
        print_report(poll.ingest, as_json=as_json)
        if poll.analysis is not None:
            print_report(poll.analysis, as_json=as_json)

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        with open_store(db or config.db or default_db()) as store:
            run_watch(config, store, rounds=rounds, on_round=report)
    except KeyboardInterrupt:
        _err.print("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)
