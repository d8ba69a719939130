"""Country data files: who the leaders are, their titles, honorifics and attack targets.

Why data files and not code: analysts know the titles and aliases better than the
code does, and they change (Kim Jong Un became "General Secretary" in 2021).  Each
country is one TOML file (``analytics/data/dprk.toml`` is the model; its header says
what every section means); :func:`load_lexicon` merges any number of them and checks
them once, so a typo fails with the file and the entry named, not as a silent miss.
The lexicon's :attr:`Lexicon.version` is a hash of the files' content: stored results
carry it, and editing a file makes the next run re-read the texts.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from propscope.errors import DataError

DEFAULT_COUNTRIES: tuple[str, ...] = ("dprk",)
"""Bundled files read when no file is named (``russia`` is bundled as a start)."""


@dataclass(frozen=True, slots=True)
class TitleRef:
    """A title that on its own names ``person`` between ``start`` and ``end``."""

    title: str
    start: date | None = None
    end: date | None = None
    bare: bool = False

    def holds(self, day: date | None) -> bool:
        if day is None:
            return self.end is None  # an undated text: the title as it is now
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    aliases: tuple[str, ...]
    leader: bool = False
    title_refs: tuple[TitleRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    aliases: tuple[str, ...]
    generic: bool = False  # "imperialists", "enemies": chosen only when nothing named is
    not_before: tuple[str, ...] = ()  # words that make an alias part of a longer name


@dataclass(slots=True)
class Lexicon:
    """Everything the data files say, merged, with the patterns built from it."""

    countries: tuple[str, ...]
    people: tuple[Person, ...]
    titles: dict[str, int]  # title -> rank
    honorifics: dict[str, int]  # honorific (lower case) -> weight
    targets: tuple[Target, ...]
    version: str
    outlets: tuple[str, ...] = ()
    activities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Event type -> verb phrases that report a leader's public activity."""
    officials: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """``accompanied``/``greeted`` -> phrases opening a list of officials; ``surnames``."""
    praise: frozenset[str] = frozenset()
    """Words that make a loaded-language span praise, not an attack."""
    _by_alias: dict[str, Person] = field(default_factory=dict, repr=False)
    _target_by_alias: dict[str, Target] = field(default_factory=dict, repr=False)
    cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    """Patterns the extractors build from this lexicon, built once."""

    def __post_init__(self) -> None:
        for person in self.people:
            for alias in person.aliases:
                self._by_alias[_key(alias)] = person
        for target in self.targets:
            for alias in target.aliases:
                self._target_by_alias[_key(alias)] = target

    def person(self, alias: str) -> Person | None:
        """The person written as ``alias`` (spaces, hyphens and case do not matter)."""
        return self._by_alias.get(_key(alias))

    def person_by_id(self, ident: str) -> Person | None:
        return next((p for p in self.people if p.id == ident), None)

    def target(self, alias: str) -> Target | None:
        return self._target_by_alias.get(_key(alias))

    @property
    def leaders(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.leader)


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", " ", text).strip().casefold()


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DataError(f"{where}: {value!r} is not a YYYY-MM-DD date",
                        fix="write dates as 2021-01-10") from None


def _strings(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DataError(f"{where}: `{key}` must be a list of non-empty strings")
    return tuple(value)


def _required(entry: dict[str, Any], key: str, where: str, kind: type = str) -> Any:
    value = entry.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) or (kind is str and not value):
        raise DataError(f"{where}: `{key}` is missing or not a {kind.__name__}",
                        fix="see the header of analytics/data/dprk.toml for the format")
    return value


def _parse(data: dict[str, Any], source: str) -> dict[str, Any]:
    people = []
    for i, entry in enumerate(data.get("person", [])):
        where = f"{source}: person #{i + 1}"
        name = _required(entry, "name", where)
        refs = tuple(
            TitleRef(
                _required(ref, "title", f"{where} title_ref"),
                _date(ref.get("from"), where),
                _date(ref.get("to"), where),
                bool(ref.get("bare", False)),
            )
            for ref in entry.get("title_ref", [])
        )
        people.append(Person(
            id=str(entry.get("id") or _key(name).replace(" ", "-")),
            name=name,
            aliases=tuple(dict.fromkeys((name, *_strings(entry, "aliases", where)))),
            leader=bool(entry.get("leader", False)),
            title_refs=refs,
        ))
    titles = {
        _required(t, "name", f"{source}: title"): int(_required(t, "rank", f"{source}: title", int))
        for t in data.get("title", [])
    }
    honorifics = {
        _required(h, "text", f"{source}: honorific").casefold():
            int(_required(h, "weight", f"{source}: honorific", int))
        for h in data.get("honorific", [])
    }
    targets = [
        Target(_required(t, "name", f"{source}: target"),
               tuple(dict.fromkeys((t["name"], *_strings(t, "aliases", f"{source}: target")))),
               bool(t.get("generic", False)),
               _strings(t, "not_before", f"{source}: target"))
        for t in data.get("target", [])
    ]
    activities = {str(kind): _strings(data["activity"], kind, f"{source}: activity")
                  for kind in data.get("activity", {})}
    officials = {str(kind): _strings(data["officials"], kind, f"{source}: officials")
                 for kind in data.get("officials", {})}
    return {"country": str(data.get("country", source)), "people": people, "titles": titles,
            "honorifics": honorifics, "targets": targets, "activities": activities,
            "officials": officials, "outlets": _strings(data, "outlets", source),
            "praise": _strings(data.get("attack", {}), "praise", f"{source}: attack")}


def _read(source: str | Path) -> tuple[str, bytes]:
    """``(label, bytes)`` of a bundled country (``"dprk"``) or a file path."""
    path = Path(source)
    if path.suffix == ".toml" or path.exists():
        try:
            return str(path), path.read_bytes()
        except OSError as exc:
            raise DataError(f"cannot read the lexicon file {path}: {exc.strerror or exc}",
                            fix="check the path") from exc
    entry = resources.files("propscope.analytics") / "data" / f"{source}.toml"
    if not entry.is_file():
        raise DataError(f"no bundled lexicon named {source!r}",
                        fix=f"use one of {', '.join(bundled_countries())} or a .toml path")
    return str(source), entry.read_bytes()


def bundled_countries() -> list[str]:
    folder = resources.files("propscope.analytics") / "data"
    return sorted(Path(e.name).stem for e in folder.iterdir() if e.name.endswith(".toml"))


def load_lexicon(sources: Sequence[str | Path] | None = None) -> Lexicon:
    """The lexicon of ``sources`` (bundled country names or TOML paths), merged in
    order; a later file's title, honorific or target of the same name wins."""
    chosen: Iterable[str | Path] = sources or DEFAULT_COUNTRIES
    digest = hashlib.sha256()
    countries, people, targets, outlets = [], [], {}, []
    titles: dict[str, int] = {}
    honorifics: dict[str, int] = {}
    activities: dict[str, tuple[str, ...]] = {}
    officials: dict[str, tuple[str, ...]] = {}
    praise: set[str] = set()
    for source in chosen:
        label, raw = _read(source)
        digest.update(raw)
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise DataError(f"{label} is not valid TOML: {exc}",
                            fix="see the header of analytics/data/dprk.toml") from exc
        parsed = _parse(data, label)
        countries.append(parsed["country"])
        people.extend(parsed["people"])
        titles.update(parsed["titles"])
        honorifics.update(parsed["honorifics"])
        targets.update({t.name: t for t in parsed["targets"]})
        outlets.extend(parsed["outlets"])
        praise.update(w.casefold() for w in parsed["praise"])
        for kind, phrases in parsed["activities"].items():
            activities[kind] = tuple(dict.fromkeys((*activities.get(kind, ()), *phrases)))
        for kind, phrases in parsed["officials"].items():
            officials[kind] = tuple(dict.fromkeys((*officials.get(kind, ()), *phrases)))
    return Lexicon(tuple(countries), tuple(people), titles, honorifics,
                   tuple(targets.values()), digest.hexdigest()[:12], tuple(outlets),
                   activities, officials, frozenset(praise))
