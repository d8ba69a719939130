#!/usr/bin/env python
"""Print the spans of a fixed sample of state-media texts for reading span by span.

    python benchmarks/reading_sample.py [--data PATH] [--detector default] [--min-score 0]

Why: PTC's gold spans say how right a detector is on US/UK news; on state media only a
reader can say.  The sample is fixed so that a later reading compares with an earlier
one: 10 KCNA stories of 2011–2012 (every 2,000th record from the 777th, longer than 600
characters) and 4 Tehran Times articles (every 4,000th of the first 30,000 from the
555th).  Each span is printed with its number, calibrated score, technique, text and
sentence; the reader marks each right (technique and place, as a careful annotator
would) or wrong, and counts by score band.  The reading of 2026-12 is in
docs/semeval-and-detectors.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import propscope
from propscope.semeval.corpus import resolve_data_dir


def sample(data: Path) -> list[dict]:
    with (data / "kcna" / "kcna-2011-2012.jsonl").open(encoding="utf-8") as handle:
        kcna = [json.loads(line) for line in handle]
    with (data / "tehran-times" / "tehran-times.jsonl").open(encoding="utf-8") as handle:
        tehran = [json.loads(line) for line in itertools.islice(handle, 30_000)]
    picked = [r for r in kcna[777::2000] if len(r.get("text") or "") > 600][:10]
    return picked + [r for r in tehran[555::4000] if len(r.get("text") or "") > 600][:4]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="shared data folder (default $PROPSCOPE_DATA)")
    parser.add_argument("--detector", default="default")
    parser.add_argument("--min-score", type=float, default=0.0)
    args = parser.parse_args()
    records = sample(resolve_data_dir(args.data))
    texts = [(r.get("title") or "") + "\n" + r["text"] for r in records]
    results = propscope.analyze_many(texts, args.detector, min_score=args.min_score)
    n = 0
    for record, result in zip(records, results):
        print(f"=== {record.get('outlet')} {record.get('published')} {record.get('title')}")
        for span in result.spans:
            n += 1
            sentence = next((result.text[a:b] for a, b in result.sentences if a <= span.start < b), "")
            print(f"[{n}] {span.score:.2f} {span.technique} | {result.span_text(span)!r}\n"
                  f"     in: {sentence[:260]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
