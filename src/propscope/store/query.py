"""Search queries: one parser for both databases, so a query means the same on each.

Why parse here rather than hand the text to the database: FTS5 and PostgreSQL's
``websearch_to_tsquery`` speak different syntaxes (FTS5 raises on a stray quote,
PostgreSQL does not know ``prefix*``), and a query of thousands of words costs
minutes of CPU in either.  The parser turns what a user typed into a small tree
(:class:`Query`), refuses what cannot be searched (:class:`SearchQueryError`), and
each backend writes that tree in its own syntax from words it never has to escape.

Two modes:

``stemmed`` (the default)
    Words match any form with the same English stem (``provocations`` finds
    ``provocation``; ``US`` finds ``us`` and ``used``).  ``"quoted phrases"`` match
    words in that order, ``-word`` or ``NOT word`` leaves texts out, ``OR`` between two
    terms takes either, ``word*`` matches a prefix, ``AND`` is implied.
``exact``
    Every term (a word, or a ``"quoted phrase"``) must appear as written: case,
    punctuation and all, as a whole word (``US`` finds ``US`` but not ``us`` or
    ``USA``).  No operators: ``OR`` and ``-x`` are searched as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from propscope.errors import SearchQueryError

MODES = ("stemmed", "exact")

MAX_QUERY_CHARS = 1_000
"""A longer query is refused: a 108 KB query of real words took 97 s of CPU."""

MAX_QUERY_TERMS = 32
"""At most this many words (across all terms and phrases) in one query."""

# A quoted phrase (an unclosed quote runs to the end), with an optional leading "-";
# or a run of anything else up to a space or a quote.
_TOKEN = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)"?|(?P<bare>[^\s"]+)')
# The words a database's tokenizer keeps: letters and digits (FTS5's unicode61 and
# PostgreSQL both split on "_", punctuation and space).
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Term:
    """One thing to find: a word or a phrase (``words`` in order), as typed (``text``)."""

    text: str
    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: every group must match (a group is terms joined by ``OR``), and
    no ``excluded`` term may."""

    text: str
    mode: str
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]

    # -- what each backend writes -------------------------------------------------------
    def fts5(self) -> str:
        """The query in FTS5 syntax; every word is quoted, so it always parses."""

        def term(t: Term) -> str:
            return '"' + " ".join(t.words) + '"' + (" *" if t.prefix else "")

        found = " AND ".join("(" + " OR ".join(map(term, g)) + ")" for g in self.groups)
        if self.excluded:
            found = f"({found}) NOT (" + " OR ".join(map(term, self.excluded)) + ")"
        return found

    def tsquery(self, config: str = "english") -> tuple[str, list[str]]:
        """A PostgreSQL ``tsquery`` expression and its parameters, built with
        ``phraseto_tsquery`` (which never raises on input) and the ``&&``, ``||`` and
        ``!!`` operators; a prefix term is ``to_tsquery('word:*')`` of letters only."""
        params: list[str] = []

        def term(t: Term) -> str:
            if t.prefix:
                params.append(t.words[0] + ":*")
                return f"to_tsquery('{config}', ?)"
            params.append(" ".join(t.words))
            return f"phraseto_tsquery('{config}', ?)"

        def any_of(terms: tuple[Term, ...]) -> str:
            return "(" + " || ".join(map(term, terms)) + ")"

        expr = "(" + " && ".join(map(any_of, self.groups)) + ")"
        if self.excluded:
            expr += " && !!" + any_of(self.excluded)
        return expr, params

    def patterns(self) -> list[re.Pattern[str]]:
        """Exact mode: one case-sensitive pattern per term, a whole word or phrase
        (the phrase's words may be split by any run of white space)."""
        found = []
        for t in self.terms():
            body = r"\s+".join(re.escape(piece) for piece in t.words)
            found.append(re.compile(rf"(?<!\w){body}(?!\w)"))
        return found


def parse_query(text: str, mode: str = "stemmed") -> Query:
    """``text`` as a :class:`Query`, or :class:`SearchQueryError` saying why not."""
    if mode not in MODES:
        raise SearchQueryError(f"unknown search mode {mode!r}", fix=f"use one of {', '.join(MODES)}")
    if len(text) > MAX_QUERY_CHARS:
        raise SearchQueryError(
            f"the query is {len(text):,} characters long; the most is {MAX_QUERY_CHARS:,}",
            fix="search for fewer, more telling words",
        )
    parse = _parse_exact if mode == "exact" else _parse_stemmed
    groups, excluded = parse(text)
    words = sum(len(t.words) for g in groups for t in g) + sum(len(t.words) for t in excluded)
    if words > MAX_QUERY_TERMS:
        raise SearchQueryError(
            f"the query has {words} words; the most is {MAX_QUERY_TERMS}",
            fix="search for fewer, more telling words",
        )
    if not groups:
        if excluded:
            raise SearchQueryError("the query only says what to leave out",
                                   fix="add a word to find beside the -words")
        raise SearchQueryError("the query has no words to search for" if text.strip()
                               else "the query is empty")
    return Query(text, mode, tuple(groups), tuple(excluded))


_Parsed = tuple[list[tuple[Term, ...]], list[Term]]


def _parse_stemmed(text: str) -> _Parsed:
    groups: list[tuple[Term, ...]] = []
    excluded: list[Term] = []
    join_next = negate_next = False
    for match in _TOKEN.finditer(text):
        raw = match["phrase"] if match["bare"] is None else match["bare"]
        negate = negate_next or bool(match["neg"])
        prefix = False
        if match["bare"] is not None:
            if raw.upper() == "OR":
                join_next = bool(groups)
                continue
            if raw == "AND":
                continue
            if raw == "NOT":
                negate_next = True
                continue
            if raw.startswith("-") and len(raw) > 1:
                raw, negate = raw[1:], True
            prefix = raw.endswith("*")
        words = tuple(_WORD.findall(raw))
        negate_next = False
        if not words:  # punctuation alone: nothing a tokenizer would index
            continue
        term = Term(raw, words, prefix and len(words) == 1)
        if negate:
            excluded.append(term)
        elif join_next:
            groups[-1] = (*groups[-1], term)
        else:
            groups.append((term,))
        join_next = False
    return groups, excluded


def _parse_exact(text: str) -> _Parsed:
    groups: list[tuple[Term, ...]] = []
    for match in _TOKEN.finditer(text):
        raw = match["phrase"] if match["bare"] is None else match["bare"]
        if match["neg"]:
            raw = "-" + raw
        pieces = tuple(raw.split())
        if pieces:
            groups.append((Term(raw.strip(), pieces),))
    return groups, []


def exact_matches(query: Query, title: str | None, text: str) -> tuple[int, list[re.Match[str]]]:
    """``(rank, matches in text)`` when every term of an exact ``query`` is in the title
    or the text, else ``(0, [])``.  The rank counts occurrences, a title's twice."""
    rank, found = 0, []
    for pattern in query.patterns():
        in_title = len(pattern.findall(title or ""))
        in_text = list(pattern.finditer(text))
        if not in_title and not in_text:
            return 0, []
        rank += 2 * in_title + len(in_text)
        found.extend(in_text)
    return rank, sorted(found, key=lambda m: m.start())


def snippet(text: str, matches: list[re.Match[str]], width: int = 80,
            mark: Callable[[str], str] = lambda s: f"[{s}]") -> str:
    """A window of ``text`` around the first match, each match in it marked as
    ``[word]`` (like the databases' own snippets) and `` … `` where text was cut."""
    if not matches:
        return text[: 2 * width].strip() + (" … " if len(text) > 2 * width else "")
    start = max(0, matches[0].start() - width)
    end = min(len(text), matches[0].end() + width)
    if start > 0:  # begin and end on a word boundary, not mid-word
        start = text.find(" ", start, matches[0].start()) + 1 or start
    if end < len(text):
        cut = text.rfind(" ", matches[0].end(), end)
        end = cut if cut > 0 else end
    parts, at = [], start
    for m in matches:
        if m.start() < at or m.end() > end:
            continue
        parts += [text[at : m.start()], mark(m.group())]
        at = m.end()
    parts.append(text[at:end])
    body = "".join(parts).strip()
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")
