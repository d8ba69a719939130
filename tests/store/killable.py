"""An analysis run for test_kill.py to kill: ``python -m tests.store.killable DB DELAY``.

It analyses the store with the test lexicon, 16 texts a batch, sleeping DELAY seconds
in each detector call.  The delay only gives the test time to kill the process
mid-run; the code under test is the library's own batch runner.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from propscope.batch import analyze_store
from propscope.model import Document, Span
from propscope.store import open_store
from tests.store.conftest import LexiconDetector


class SlowLexicon(LexiconDetector):
    def __init__(self, delay: float) -> None:
        super().__init__("1")
        self.delay = delay

    def detect(self, docs: Sequence[Document]) -> list[list[Span]]:
        time.sleep(self.delay)
        return super().detect(docs)


def main(argv: list[str]) -> int:
    db, delay = argv[0], float(argv[1])
    with open_store(db) as store:
        report = analyze_store(store, SlowLexicon(delay), batch_size=16)
    print(report.counts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
