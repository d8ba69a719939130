"""How well ingestion repairs the fused leaders' names in the KCNA file.

Reads ``kcna/kcna-2024.jsonl`` through :func:`propscope.ingest.load`, exactly as
``propscope ingest`` does (normalise, furniture, repair with the name lexicon
learning as it goes), and prints, over the distinct texts (KCNA files one story
under several sections):

* fusions found: occurrences of "Kim Il Sung", "Kim Jong Il" or "Kim Jong Un" with
  a letter or digit touching either end, in the texts as published;
* repaired / remaining: the same count in the repaired texts (and, apart, names
  glued to a comma: "the Assembly,Kim Jong Un");
* every repair by rule, and how many touched other names than the three;
* records per second of each stage (normalise, furniture, repair, map composition);
* a seeded random sample of repairs, each with its context, to read by hand and
  count false splits (``--sample``, ``--seed``).

    python benchmarks/repair_kcna.py [--data ../shared/data] [--sample 50] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import time
from collections import Counter
from pathlib import Path

from propscope.ingest import IngestOptions, ItemError, load

LEADERS = re.compile(r"Kim Il Sung|Kim Jong Il|Kim Jong Un")


def _default_data() -> Path:
    env = os.environ.get("PROPSCOPE_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def fused_names(text: str) -> list[tuple[int, int]]:
    """Occurrences of a leader's name with a letter or digit touching either end."""
    found = []
    for match in LEADERS.finditer(text):
        start, end = match.span()
        if (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
            found.append((start, end))
    return found


def glued_to_punctuation(text: str) -> int:
    """Leaders' names glued to a comma (or ; : ! ?) that follows a word."""
    return sum(
        1
        for match in LEADERS.finditer(text)
        if match.start() >= 2
        and text[match.start() - 1] in ",;:!?"
        and text[match.start() - 2].isalnum()
    )


def stage_times(texts: list[tuple[str, str | None]]) -> dict[str, float]:
    """Seconds spent in each stage of :func:`build_document` over ``texts`` (text,
    title), run one stage after the other as ingestion does."""
    from propscope.text.furniture import split_furniture
    from propscope.text.normalise import normalise
    from propscope.text.repair import NameLexicon, repair

    repair("warm up: ComradeKim Jong Unmet")  # loads wordfreq's list (about 0.4 s) first
    lexicon = NameLexicon()
    spent = {"normalise": 0.0, "furniture": 0.0, "repair": 0.0, "compose maps": 0.0}
    for text, title in texts:
        t0 = time.perf_counter()
        normalised = normalise(text)
        t1 = time.perf_counter()
        layout = split_furniture(normalised.text, title=title)
        t2 = time.perf_counter()
        repaired = repair(layout.text, lexicon=lexicon, learn=True)
        t3 = time.perf_counter()
        normalised.offset_map.then(layout.offset_map).then(repaired.offset_map)
        t4 = time.perf_counter()
        for stage, seconds in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            spent[stage] += seconds
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=_default_data())
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    path = args.data / "kcna" / "kcna-2024.jsonl"
    if not path.is_file():
        raise SystemExit(f"needs {path} (set --data or PROPSCOPE_DATA)")

    originals: dict[str, str] = {}  # item -> text as published
    titles: list[tuple[str, str | None]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                record = json.loads(line)
                originals[f"{path}:{number}"] = record["text"]
                titles.append((record["text"], record.get("title")))

    started = time.perf_counter()
    items = list(load([str(path)], IngestOptions()))
    seconds = time.perf_counter() - started
    errors = [item for item in items if isinstance(item, ItemError)]
    docs = [item for item in items if not isinstance(item, ItemError)]

    distinct: dict[str, object] = {}
    for doc in docs:
        distinct.setdefault(originals[doc.provenance.item], doc)
    before = sum(len(fused_names(text)) for text in distinct)
    after_examples = []
    for doc in distinct.values():
        for start, end in fused_names(doc.text):
            after_examples.append(doc.text[max(0, start - 20) : end + 20])
    repairs = [(doc, fix) for doc in distinct.values() for fix in doc.meta["repairs"]]
    rules = Counter(fix["rule"].split(" '")[0].split(":")[0] for _, fix in repairs)
    other_names = sum(1 for _, fix in repairs if not LEADERS.search(fix["rule"]))

    print(f"file: {path}")
    print(f"records: {len(items):,} ({len(errors)} errors), distinct texts: {len(distinct):,}")
    print(f"load: {len(items):,} records in {seconds:.2f} s = {len(items) / seconds:.0f} records/s")
    spent = stage_times(titles)
    print(
        "by stage: "
        + ", ".join(
            f"{stage} {len(titles) / seconds:,.0f}/s" for stage, seconds in spent.items() if seconds
        )
        + " (records per second of that stage alone)"
    )
    print(f"fusions of the three leaders' names found: {before:,}")
    print(f"repaired: {before - len(after_examples):,}   remaining: {len(after_examples):,}")
    for example in after_examples[:20]:
        print(f"  remaining: …{example!r}…")
    glued_before = sum(glued_to_punctuation(text) for text in distinct)
    glued_after = sum(glued_to_punctuation(doc.text) for doc in distinct.values())
    print(
        f"names glued to a comma etc. (not counted above): {glued_before} found, "
        f"{glued_after} remaining"
    )
    print(f"spaces inserted: {len(repairs):,} ({other_names} around names other than the three)")
    for rule, n in rules.most_common():
        print(f"  {n:>6,}  {rule}")
    print(f"\nsample of {args.sample} repairs (seed {args.seed}); '|' marks the inserted space:")
    rng = random.Random(args.seed)
    for doc, fix in rng.sample(repairs, min(args.sample, len(repairs))):
        at = fix["at"]
        context = doc.text[max(0, at - 30) : at] + "|" + doc.text[at + 1 : at + 30]
        print(f"  {fix['token']:<18} {context.replace(chr(10), ' ')!r}")


if __name__ == "__main__":
    main()
