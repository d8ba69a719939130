"""Search: stemmed and exact modes, paging with a total, and queries refused — the same
answers from SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from propscope.errors import SearchQueryError
from propscope.model import Document
from propscope.store import Store
from propscope.store.query import MAX_QUERY_CHARS, MAX_QUERY_TERMS, parse_query

from .conftest import make_doc

TEXTS = [
    ("The US imposed sanctions.", "Sanctions"),
    ("Let us use the plan we used before.", "Plans"),
    ("Talks with the US and the USA stalled; US envoys left.", "Talks"),
    ("Workers used new tractors.", "Tractors"),
    ("The Supreme People's Assembly met. The assembly was supreme.", "Assembly"),
    ("A new tractor factory opened in the county.", "Harvest festival"),
]


@pytest.fixture
def filled(store: Store) -> Store:
    store.add_documents([
        Document(text=text, title=title, url=f"http://e.kp/{i}")
        for i, (text, title) in enumerate(TEXTS)
    ])
    return store


def _titles(page) -> set[str]:
    return {h.title for h in page.hits}


def test_stemmed_search_matches_word_forms_and_counts_them(filled: Store) -> None:
    page = filled.search_page("US")
    # "us", "use"; SQLite's Porter stemmer also takes "used" (PostgreSQL's Snowball not).
    assert _titles(page) >= {"Sanctions", "Plans", "Talks"}
    assert page.total == len(page.hits) >= 3 and page.mode == "stemmed"
    assert [h.title for h in filled.search("harvest festival")] == ["Harvest festival"]
    assert {h.title for h in filled.search("tractors")} == {"Tractors", "Harvest festival"}


def test_exact_search_matches_the_word_as_written(filled: Store) -> None:
    page = filled.search_page("US", mode="exact")
    assert _titles(page) == {"Sanctions", "Talks"}  # not "us", "used" nor "USA"
    assert page.total == 2
    best = page.hits[0]
    assert best.title == "Talks"  # two occurrences rank above one
    assert "[US]" in best.snippet and "[USA]" not in best.snippet
    assert filled.search_page("us", mode="exact").total == 1
    assert filled.search_page("USA", mode="exact").total == 1


def test_exact_phrase_is_case_sensitive_and_in_order(filled: Store) -> None:
    assert _titles(filled.search_page('"Supreme People\'s Assembly"', mode="exact")) == {
        "Assembly"}
    assert filled.search_page('"supreme people\'s assembly"', mode="exact").total == 0
    assert filled.search_page('"Assembly People\'s"', mode="exact").total == 0
    # Title words count too, as whole words.
    assert _titles(filled.search_page("Harvest", mode="exact")) == {"Harvest festival"}


def test_stemmed_phrases_exclusions_or_and_prefix(filled: Store) -> None:
    assert _titles(filled.search_page('"supreme people"')) == {"Assembly"}
    assert _titles(filled.search_page("tractor -factory")) == {"Tractors"}
    assert _titles(filled.search_page("tractor NOT factory")) == {"Tractors"}
    assert _titles(filled.search_page("sanctions OR envoys")) == {"Sanctions", "Talks"}
    assert _titles(filled.search_page("tract*")) == {"Tractors", "Harvest festival"}


def test_pages_carry_the_total(store: Store) -> None:
    store.add_documents([make_doc(i) for i in range(7)])
    first = store.search_page("provocation", limit=3)
    assert first.total == 7 and len(first.hits) == 3
    rest = store.search_page("provocation", limit=3, offset=3)
    last = store.search_page("provocation", limit=3, offset=6)
    ids = [h.text_id for p in (first, rest, last) for h in p.hits]
    assert sorted(ids) == sorted({h.text_id for h in store.search("provocation", limit=10)})
    assert len(ids) == 7
    assert store.search_page("provocation", limit=3, offset=9).hits == []
    assert store.search_page("provocation", limit=0).total == 7
    assert store.search_page("nothingmatchesthis").total == 0


BLANK = ["", "   ", '"', '""""', '" "']


@pytest.mark.parametrize(("query", "mode"), [
    *((q, "stemmed") for q in [*BLANK, "(( ** ))", "-", "OR", "NOT"]),
    *((q, "exact") for q in BLANK),  # exact mode searches "-" or "OR" as written
])
def test_a_query_without_words_is_refused(filled: Store, query: str, mode: str) -> None:
    with pytest.raises(SearchQueryError) as caught:
        filled.search_page(query, mode=mode)
    assert caught.value.code == "PS602"
    assert "query" in caught.value.message


def test_syntax_a_user_did_not_mean_is_searched_as_words(filled: Store) -> None:
    # Unbalanced quotes, stray operators and brackets: the words are searched.
    assert _titles(filled.search_page('tractor -"  AND (')) >= {"Tractors"}
    assert _titles(filled.search_page('"tractor')) == {"Tractors", "Harvest festival"}
    assert _titles(filled.search_page("tractor:")) == {"Tractors", "Harvest festival"}


def test_only_exclusions_are_refused(filled: Store) -> None:
    with pytest.raises(SearchQueryError, match="leave out"):
        filled.search_page("-tractor")


def test_long_queries_are_refused_before_reaching_the_database(filled: Store) -> None:
    with pytest.raises(SearchQueryError, match="characters"):
        filled.search_page("tractor " * 20_000)  # 160 KB, as reported (97 s of CPU)
    with pytest.raises(SearchQueryError, match="words"):
        filled.search_page(" ".join(["tractor"] * (MAX_QUERY_TERMS + 1)))
    assert filled.search_page(" ".join(["tractor"] * MAX_QUERY_TERMS)).total == 2


def test_bad_mode_and_paging_values_are_refused(filled: Store) -> None:
    with pytest.raises(SearchQueryError, match="mode"):
        filled.search_page("tractor", mode="fuzzy")
    with pytest.raises(SearchQueryError):
        filled.search_page("tractor", offset=-1)


def test_parse_query_writes_every_word_quoted() -> None:
    q = parse_query('a "b c" -d e OR f g*')
    assert q.fts5() == '(("a") AND ("b c") AND ("e" OR "f") AND ("g" *)) NOT ("d")'
    assert parse_query("x" * MAX_QUERY_CHARS).fts5() == f'("{"x" * MAX_QUERY_CHARS}")'
    assert parse_query("OR a OR").fts5() == '("a")'  # a dangling OR joins nothing


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(alphabet=st.sampled_from(list('ab US"-*():^+~ORNTD\u2028é_\\\'')),
                     max_size=40),
       mode=st.sampled_from(["stemmed", "exact"]))
def test_any_query_is_searched_or_refused_never_a_database_error(
    filled: Store, query: str, mode: str
) -> None:
    try:
        page = filled.search_page(query, mode=mode, limit=3)
    except SearchQueryError:
        return
    assert 0 <= len(page.hits) <= min(3, page.total)
