"""Options several commands share, declared once so they read the same everywhere.

Why: one vocabulary across commands.  Every command whose output has formats takes
``--format/-f``; every command on a database takes ``--db`` with the same help,
default included; every detector option takes a name, ``name.vN`` or a full id.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

DB_HELP = ("SQLite file or postgresql:// URL (default: $PROPSCOPE_DB, else "
           "./propscope.db).")


class ReportFormat(str, Enum):
    """What a database command prints: a table for people, or JSON for programs."""

    text = "text"
    json = "json"


DbOption = Annotated[str | None, typer.Option("--db", help=DB_HELP, show_default=False)]
FormatOption = Annotated[ReportFormat, typer.Option(
    "--format", "-f", help="text (tables for people) or json (one object a line).")]
JsonOption = Annotated[bool, typer.Option(
    "--json", hidden=True, help="The same as --format json (kept for old scripts).")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
AllowPrivateOption = Annotated[bool, typer.Option(
    "--allow-private", help="Allow URLs on private and loopback addresses (link-local and "
    "cloud-metadata addresses stay refused unless --allow-network names them).")]
AllowNetworkOption = Annotated[list[str] | None, typer.Option(
    "--allow-network", metavar="CIDR", help="Allow URLs in this network whatever it is, "
    "e.g. 10.1.0.0/16 (repeat for several); every other check stays on.",
    show_default=False)]


def wants_json(output_format: ReportFormat, as_json: bool) -> bool:
    """``--format json`` or its old spelling ``--json``."""
    return as_json or output_format is ReportFormat.json


# With --db: where the work runs (propscope.scale); the command refuses them without it.
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=1, show_default=False, help="Run on a local Dask cluster of this many "
    "processes, one thread each (needs a postgresql:// --db and the scale extra).")]
ClusterOption = Annotated[str | None, typer.Option(
    "--cluster", metavar="ADDRESS", show_default=False, help="Run on the Dask scheduler at "
    "this address (tcp://host:8786); the workers need propscope and the same models.")]
