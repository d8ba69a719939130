"""A run for test_kill.py to kill: ``python -m tests.store.killable MODE DB N DELAY``.

MODE ``ingest`` stores N generated stories in batches of 20, DELAY seconds apart per
story; MODE ``analyze`` analyses the store with the test lexicon, DELAY seconds per
batch of 16.  The delay only gives the test time to kill the process mid-run; the code
under test is the library's own batch runner.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence

from propscope.batch import analyze_store, ingest_documents
from propscope.model import Document, Span
from propscope.store import open_store
from tests.store.conftest import LexiconDetector, make_doc


class SlowLexicon(LexiconDetector):
    def __init__(self, delay: float) -> None:
        super().__init__("1")
        self.delay = delay

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        time.sleep(self.delay)
        return super().detect(docs)


def slow_docs(n: int, delay: float) -> Iterator[Document]:
    for i in range(n):
        time.sleep(delay)
        yield make_doc(i)


def main(argv: list[str]) -> int:
    mode, db, n, delay = argv[0], argv[1], int(argv[2]), float(argv[3])
    with open_store(db) as store:
        if mode == "ingest":
            report = ingest_documents(store, slow_docs(n, delay), batch_size=20)
        else:
            report = analyze_store(store, SlowLexicon(delay), batch_size=16)
    print(report.counts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
