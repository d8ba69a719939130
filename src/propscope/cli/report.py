"""What long runs show a person: a progress bar and the run report, both on stderr.

Why a module of its own: ``ingest``, ``analyze --db`` and ``watch`` all show them, and
a command module importing another command module would register that one's commands
as a side effect (a cycle through the global app).  Stdout stays clean for JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from propscope.batch import RunReport
from propscope.present.safe import printable

REPORT_ERRORS_SHOWN = 20

err_console = Console(stderr=True)


@contextmanager
def progress_bar(label: str, *, quiet: bool) -> Iterator[Callable[[int, int | None], None]]:
    """A callback for :mod:`propscope.batch` that drives a Rich bar on stderr."""
    if quiet:
        yield lambda done, total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_report(report: RunReport, *, as_json: bool = False) -> None:
    """The run report: counts, then the failed items (the first few; all with JSON)."""
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    what = report.kind + (f" with {report.detector}" if report.detector else "")
    err_console.print(Text(f"run {report.run_id}: {what} ({report.seconds:.1f} s)"))
    table = Table(show_header=False)
    table.add_column()
    table.add_column(justify="right")
    for key, value in report.counts.items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    err_console.print(table)
    for error in report.errors[:REPORT_ERRORS_SHOWN]:
        line = Text("  ")
        line.append(printable(error["code"], one_line=True), style="red")
        line.append(" " + printable(f"{error['item']}: {error['message']}", one_line=True))
        err_console.print(line)
    hidden = report.counts.get("errors", 0) - min(len(report.errors), REPORT_ERRORS_SHOWN)
    if hidden > 0:
        err_console.print(f"  … and {hidden:,} more errors (see --format json)")
