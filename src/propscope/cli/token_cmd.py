"""``propscope token …``: access tokens for a workbench that listens beyond loopback.

``create`` prints a token once; the store keeps only its salt and scrypt hash (see
:mod:`propscope.web.access`), so a lost token is revoked and replaced, never shown
again.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from propscope.cli.options import DbOption, FormatOption, ReportFormat
from propscope.errors import UsageError
from propscope.present.safe import printable

token_app = typer.Typer(
    help="Access tokens for writing to a workbench served beyond loopback.",
    no_args_is_help=True,
)


@token_app.command("create")
def create(
    db: DbOption = None,
    name: Annotated[str, typer.Option("--name", help="Whose token, or what it is for.")]
    = "workbench",
) -> None:
    """Make a token and print it once (only its hash is stored)."""
    from propscope.store import default_db, open_store
    from propscope.web.access import create_token

    if not name.strip():
        raise UsageError("a token needs a name", fix="give --name, e.g. --name alice")
    with open_store(db or default_db()) as store:
        token_id, token = create_token(store, name)
    typer.echo(token)
    typer.echo(f"token {token_id} made; it is shown only now: keep it somewhere safe", err=True)


@token_app.command("list")
def list_tokens(db: DbOption = None,
                output_format: FormatOption = ReportFormat.text) -> None:
    """Every token: id, name, when made, when revoked (never the token)."""
    from propscope.store import default_db, open_store

    with open_store(db or default_db(), create=False) as store:
        found = store.tokens()
    for t in found:
        if output_format is ReportFormat.json:
            typer.echo(json.dumps({"id": t.id, "name": t.name, "created": t.created,
                                   "revoked": t.revoked}, ensure_ascii=False))
        else:
            state = f"revoked {t.revoked}" if t.revoked else "live"
            typer.echo(f"{t.id}\t{printable(t.name, one_line=True)}\t{t.created}\t{state}")
    if not found and output_format is ReportFormat.text:
        typer.echo("no tokens", err=True)


@token_app.command("revoke")
def revoke(token_id: Annotated[int, typer.Argument(metavar="ID", min=1,
                                                    help="The token's id (see token list).")],
           db: DbOption = None) -> None:
    """Revoke a token: requests carrying it are refused from now on."""
    from propscope.store import default_db, open_store

    with open_store(db or default_db(), create=False) as store:
        if not store.revoke_token(token_id):
            raise UsageError(f"no live token {token_id}", fix="see propscope token list")
    typer.echo(f"token {token_id} revoked", err=True)
