"""``propscope analyze PATH|- …``: find propaganda techniques in text files or stdin.

Reads each input through :func:`propscope.ingest.decode.read_text` (the checks every
input gets: missing, folder, empty, binary, too large, undecodable), hands the texts to
:func:`propscope.analyze_many` and prints the results in the chosen format.  Nothing
here changes a span.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from propscope.cli.app import app
from propscope.errors import InputError, OutputError
from propscope.ingest.decode import DEFAULT_MAX_BYTES, read_text
from propscope.model import AnalysedDocument, Document
from propscope.pipeline import analyze_many


class Format(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    html = "html"


@app.command("analyze")
def analyze_command(
    paths: Annotated[list[str], typer.Argument(
        metavar="PATH|-", help="Text files to analyse; - reads standard input.")],
    output_format: Annotated[Format, typer.Option(
        "--format", "-f", help="text (terminal), json, jsonl, csv or html.")] = Format.text,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of standard output.")] = None,
    detector: Annotated[str, typer.Option(
        "--detector", "-d", help="Registered detector name; default is the shipped one.")
    ] = "default",
    max_bytes: Annotated[int, typer.Option(
        "--max-bytes", min=1, help="Refuse an input larger than this many bytes.")
    ] = DEFAULT_MAX_BYTES,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Decode inputs with this codec instead of UTF-8.")] = None,
) -> None:
    """Find propaganda techniques in text, span by span."""
    if paths.count("-") > 1:
        raise InputError("standard input (-) can be read only once")
    documents = [
        Document.from_raw(
            read_text(path, encoding=encoding, max_bytes=max_bytes),
            id="stdin" if path == "-" else path,
        )
        for path in paths
    ]
    results = analyze_many(documents, detector)
    if output_format is Format.text:
        _print_text(results, output)
    else:
        _write(_render(results, output_format), output)


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
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from exc


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
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from exc
