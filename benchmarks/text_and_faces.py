"""Throughput of the text layer and the faces: normalise, segment, render.

Prints MB/s of normalisation (with its offset map) and of sentence segmentation over
a folder of plain-text articles, and documents/s of the terminal, HTML and JSON faces
on those articles with spans found by a phrase detector (no model needed), so the
figures measure propscope's own code, not a detector.

    python benchmarks/text_and_faces.py [ARTICLES_DIR] [--repeat N]

ARTICLES_DIR defaults to $PROPSCOPE_DATA/unlabeled/openwebtext (or
../shared/data/unlabeled/openwebtext beside the project).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import re
import time
from pathlib import Path

from propscope.model import AnalysedDocument, Document, Span
from propscope.present.export import to_json
from propscope.present.html import render_html
from propscope.present.terminal import make_console, print_report
from propscope.text.normalise import normalise
from propscope.text.segment import sentences

ROOT = Path(__file__).resolve().parents[1]
PHRASES = re.compile(
    r"\b(?:the|of|and|to|in|is|was|that|for|it|with|as|on|by)\b", re.IGNORECASE
)
TECHNIQUES = ("Loaded_Language", "Doubt", "Slogans", "Repetition")


def default_dir() -> Path:
    data = os.environ.get("PROPSCOPE_DATA")
    base = Path(data) if data else ROOT.parent / "shared" / "data"
    return base / "unlabeled" / "openwebtext"


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", nargs="?", type=Path, default=default_dir())
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--render", type=int, default=50,
                        help="articles to render (the terminal face is the slow one)")
    args = parser.parse_args()
    files = sorted(args.articles.glob("*.txt"))
    if not files:
        raise SystemExit(f"no .txt files in {args.articles}")
    raws = [f.read_text(encoding="utf-8") for f in files]
    megabytes = sum(len(r.encode("utf-8")) for r in raws) / 1e6
    print(f"{len(raws)} articles, {megabytes:.1f} MB, from {args.articles}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")

    seconds = timed(lambda: [normalise(r) for r in raws], args.repeat)
    print(f"normalise (text + offset map): {megabytes / seconds:6.1f} MB/s")
    texts = [normalise(r).text for r in raws]
    seconds = timed(lambda: [sentences(t) for t in texts], args.repeat)
    print(f"sentences (blingfire + lines): {megabytes / seconds:6.1f} MB/s")

    # Dense, overlapping spans: every common word, and each sentence's first half.
    results = []
    for raw in raws[: args.render]:
        doc = Document.from_raw(raw)
        spans = [Span(m.start(), m.end(), TECHNIQUES[k % 4])
                 for k, m in enumerate(PHRASES.finditer(doc.text))]
        sents = sentences(doc.text)
        spans += [Span(s, s + max(1, (e - s) // 2), "Loaded_Language") for s, e in sents]
        results.append(AnalysedDocument(doc, spans, "phrases.v0", 0.5, sents))
    n_spans = sum(len(r.spans) for r in results)
    print(f"rendering {len(results)} articles, {n_spans} spans "
          f"({n_spans / len(results):.0f} per article)")
    for name, render in (
        ("terminal (plain)", lambda: print_report(
            results, make_console(io.StringIO(), colour=False, width=120))),
        ("terminal (colour)", lambda: print_report(
            results, make_console(io.StringIO(), colour=True, width=120))),
        ("html", lambda: render_html(results)),
        ("json", lambda: to_json(results)),
    ):
        seconds = timed(render, 1)
        print(f"render {name:18s} {len(results) / seconds:8.1f} articles/s, "
              f"{n_spans / seconds:8.0f} spans/s")
    html = render_html(results[:1])
    print(f"html report of one article: {len(html.encode()) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
