"""Analytics fixtures: a small store of hand-written KCNA-like stories, on SQLite and
PostgreSQL (the backend fixtures are the store suite's own, so both run the same way).

The stories are written for these tests, not copied from any corpus.  Spans are put
in by a stub detector that marks listed words, so the tests do not depend on a model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date

import pytest

from propscope.model import AnalysedDocument, Document, Span
from propscope.store import Store, open_store
from tests.store.conftest import store_url  # noqa: F401  (SQLite and PostgreSQL)

DETECTOR = "stub.v1"

ATTACK_WORDS = {
    "puppet traitors": "Name_Calling,Labeling",
    "warmongers": "Name_Calling,Labeling",
    "heinous": "Loaded_Language",
    "heroic": "Loaded_Language",
    "reckless": "Appeal_to_fear-prejudice",
}

STORIES: list[tuple[str, str, str]] = [
    ("2011-10-19", "Kim Jong Il Inspects KPA Unit 4304",
     ("Supreme Commander of the Korean People's Army Kim Jong Il, general secretary of the "
     "Workers' Party of Korea and chairman of the National Defence Commission, inspected "
     "KPA unit 4304.\nHe was accompanied by Jang Song Thaek, vice-chairman of the NDC, Pak "
     "To Chun and Kim Phyong Hae, secretaries of the C.C., the WPK, and KPA General Hyon "
     "Chol Hae.\nThe heroic soldiers pledged loyalty.")),
    ("2011-11-03", "Kim Jong Il Provides Field Guidance to Machine Plant",
     ("General Secretary Kim Jong Il on Thursday provided field guidance to the Ryongsong "
     "Machine Complex.\nAccompanying him were Pak To Chun, secretary of the C.C., the WPK, "
     "and Jang Song Thaek, vice-chairman of the NDC.\nThe U.S. imperialists committed "
     "heinous crimes, a spokesman said.")),
    ("2012-05-25", "Kim Jong Un Goes Round Funfair",
     ("Pyongyang, May 25 (KCNA) -- The dear respected Comrade Kim Jong Un visited the "
     "Kaeson Youth Park Funfair on May 24.\nHe was accompanied by Choe Ryong Hae, member of "
     "the Presidium, and Jang Song Thaek, vice-chairman of the NDC.\nThe puppet traitors of "
     "south Korea are reckless warmongers.")),
    ("2024-01-02", "New Year Greeted",
     ("All the people extend the greatest glory to the respected ComradeKim Jong Unin "
     "reflection of reverence.\nOne day in January, Juche 105 (2016) the respected "
     "Comrade Kim Jong Un visited the Pyongyang Textile Mill.\nThe respected General "
     "Secretary said that the Japanese reactionaries are heinous.")),
]


def stories() -> list[Document]:
    return [Document(text=text, title=title, published=date.fromisoformat(day), outlet="KCNA",
                     url=f"http://kcna.example/{i}.html", meta={"section": "Home News"})
            for i, (day, title, text) in enumerate(STORIES)]


def mark(doc: Document) -> list[Span]:
    """The stub detector: every listed phrase is a span of its technique."""
    return [Span(m.start(), m.end(), technique, 0.9, DETECTOR)
            for phrase, technique in ATTACK_WORDS.items()
            for m in re.finditer(re.escape(phrase), doc.text)]


def fill(store: Store, docs: Sequence[Document], *, analyse: bool = True) -> list[int]:
    """Store ``docs`` (and their stub spans); return their text ids."""
    ids = [r.text_id for r in store.add_documents(docs)]
    if analyse:
        run = store.start_run("analyze", DETECTOR)
        store.save_analyses(run, [(i, AnalysedDocument(d, mark(d), DETECTOR))
                                  for i, d in zip(ids, docs)], {}, [])
    return ids


@pytest.fixture
def kcna_store(store_url: str) -> Iterator[Store]:  # noqa: F811
    with open_store(store_url) as store:
        fill(store, stories())
        yield store
