"""Self-training of the fast CRF: a teacher labels unlabeled articles, the CRF learns
from them beside the gold PTC articles (issue 11; ApplicaAI's SemEval-2020 SI gain).

Three steps, each usable alone:

1. :func:`unlabeled_texts` picks a sample of the unlabeled news in the shared data
   folder (``unlabeled/openwebtext``, KCNA, Tehran Times), deterministically.
2. :func:`pseudo_label` runs a teacher (any detector with ``find_spans``: the neural
   detector, or a fast one) over them and keeps every span it finds with its score.
   Results go to a JSON-lines cache keyed by teacher id and text hash, so a second run,
   or one with a longer sample, labels only what is new: the neural teacher reads about
   five articles a second on two cores.
3. :func:`pseudo_examples` turns them into training :class:`~.train.Example` objects
   with the teacher's spans as gold (spans under ``min_score`` dropped), which
   :func:`propscope.detect.fast.train.train` takes as ``extra``: the CRF trains on
   them, the technique model does not (the teacher's techniques are its weakest part).

crfsuite has no per-sequence weight, so how much the pseudo articles count is set by
how many are given (``limit``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from propscope.detect.base import detector_id
from propscope.detect.fast.tokens import tokenise
from propscope.detect.fast.train import Example
from propscope.errors import DataError
from propscope.model import Document, Span, content_hash

SOURCES = ("openwebtext", "kcna", "tehran")
KCNA_FILE = "kcna/kcna-2011-2012.jsonl"  # paragraphs on their own lines, no fused names
TEHRAN_FILE = "tehran-times/tehran-times.jsonl"
OPENWEBTEXT_DIR = "unlabeled/openwebtext"


class Teacher(Protocol):
    """What pseudo-labelling needs of a detector: SI spans with a confidence."""

    name: str
    version: str

    def find_spans(self, text: str) -> list[Span]: ...


@dataclass(frozen=True, slots=True)
class UnlabeledText:
    id: str  # "<source>:<name>", unique across sources
    text: str  # normalised, as the detectors read it


@dataclass(frozen=True, slots=True)
class PseudoArticle:
    """An unlabeled article with its teacher's SI spans ``(start, end, score)``."""

    id: str
    text: str
    spans: tuple[tuple[int, int, float], ...]


def _normalised(raw: str) -> str:
    return Document.from_raw(raw).text


def _jsonl_sample(path: Path, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` records of a JSON-lines file (title, blank line, body: the PTC layout),
    drawn with ``seed``; records with no text are skipped."""
    if count <= 0:
        return []
    if not path.is_file():
        raise DataError(f"no {path}", fix="point --data at the shared data folder")
    with path.open(encoding="utf-8") as handle:
        lines = handle.readlines()
    rng = random.Random(seed)
    out = []
    for index in rng.sample(range(len(lines)), min(len(lines), 4 * count)):
        record = json.loads(lines[index])
        text = (record.get("text") or "").strip()
        if text:
            out.append((str(index), f"{record.get('title') or ''}\n\n{text}\n"))
        if len(out) == count:
            break
    return out


def unlabeled_texts(
    data: str | Path, *, openwebtext: int = 400, kcna: int = 0, tehran: int = 0,
    seed: int = 13,
) -> list[UnlabeledText]:
    """A deterministic sample of the shared data folder's unlabeled articles: the
    first ``openwebtext`` web news articles (sorted by name), and ``kcna`` / ``tehran``
    stories drawn at random with ``seed``."""
    root = Path(data)
    if root.name == "ptc":  # the PTC folder was given: its parent holds the rest
        root = root.parent
    out: list[UnlabeledText] = []
    if openwebtext > 0:
        folder = root / OPENWEBTEXT_DIR
        if not folder.is_dir():
            raise DataError(f"no {folder}", fix="point --data at the shared data folder")
        for path in sorted(folder.glob("*.txt"))[:openwebtext]:
            out.append(UnlabeledText(f"openwebtext:{path.stem}",
                                     _normalised(path.read_text(encoding="utf-8"))))
    for source, rel, count in (("kcna", KCNA_FILE, kcna), ("tehran", TEHRAN_FILE, tehran)):
        for key, raw in _jsonl_sample(root / rel, count, seed):
            out.append(UnlabeledText(f"{source}:{key}", _normalised(raw)))
    return [t for t in out if t.text.strip()]


def _read_cache(path: Path, teacher: str) -> dict[str, PseudoArticle]:
    """Cached labels of ``teacher``, by text hash; lines of other teachers are ignored."""
    found: dict[str, PseudoArticle] = {}
    if not path.is_file():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["teacher"] == teacher:
            spans = tuple((int(a), int(b), float(p)) for a, b, p in record["spans"])
            found[record["hash"]] = PseudoArticle(record["id"], record["text"], spans)
    return found


def pseudo_label(
    teacher: Teacher, texts: Sequence[UnlabeledText], cache: str | Path | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> list[PseudoArticle]:
    """Every teacher span of every text, with its score, in the order of ``texts``.

    ``cache``: a JSON-lines file read first and appended to, one line per text, keyed
    by the teacher's id (name, version and configuration) and the text's hash."""
    who = detector_id(teacher)
    path = Path(cache) if cache else None
    done = _read_cache(path, who) if path else {}
    out = []
    todo = [t for t in texts if content_hash(t.text) not in done]
    log(f"pseudo-labelling {len(todo)} of {len(texts)} texts ({len(texts) - len(todo)} cached)")
    handle = path.open("a", encoding="utf-8") if path and todo else None
    try:
        for number, item in enumerate(todo, 1):
            key = content_hash(item.text)
            spans = tuple((s.start, s.end, round(s.score, 4))
                          for s in teacher.find_spans(item.text))
            done[key] = PseudoArticle(item.id, item.text, spans)
            if handle:
                handle.write(json.dumps({"teacher": who, "hash": key, "id": item.id,
                                         "text": item.text, "spans": spans}) + "\n")
                handle.flush()
            if number % 50 == 0:
                log(f"  {number}/{len(todo)}")
    finally:
        if handle:
            handle.close()
    for item in texts:
        article = done[content_hash(item.text)]
        out.append(PseudoArticle(item.id, item.text, article.spans))
    return out


def pseudo_examples(
    articles: Iterable[PseudoArticle], *, min_score: float = 0.0, keep_empty: bool = True,
    limit: int = 0,
) -> list[Example]:
    """Training examples with the teacher's spans (score ≥ ``min_score``) as gold.

    ``keep_empty``: keep an article left with no span (all O: it teaches where
    propaganda is not; the gold PTC has few such articles).  ``limit``: at most this
    many (the first ones; 0 = all), the knob for how much the pseudo articles count."""
    out = []
    for article in articles:
        spans = [(a, b, "") for a, b, p in article.spans if p >= min_score]
        if not spans and not keep_empty:
            continue
        if not article.text.strip():
            continue
        out.append(Example(f"pseudo:{article.id}", tokenise(article.text), spans))
        if limit and len(out) == limit:
            break
    return out
