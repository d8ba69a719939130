"""``propscope serve``: the web workbench and its JSON API over one database."""

from __future__ import annotations

from typing import Annotated

import typer

from propscope.cli.options import DbOption

commands = typer.Typer()


@commands.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on. The default, 127.0.0.1, is this machine "
        "only; another address lets the network in.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535,
                                      help="Port to listen on.")] = 8000,
    read_only: Annotated[bool, typer.Option(
        "--read-only", help="Serve a published corpus: nothing can be saved.")] = False,
    detector: Annotated[str, typer.Option(
        "--detector", help="Detector for texts analysed in the browser: a name, "
        "name.vN or a full id.")] = "default",
) -> None:
    """Serve the workbench (paste and analyse, search, facets, documents, techniques)
    and the JSON API under /api/v1 on http://HOST:PORT/."""
    import uvicorn

    from propscope.store import default_db
    from propscope.web import Settings, create_app

    app = create_app(Settings(db=db or default_db(), read_only=read_only,
                              detector=detector, host=host))
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False,
                proxy_headers=False)
