"""Appearances: reports of a leader's public activity, with the officials named with him.

What counts (the NK Pro leadership tracker's unit): a story whose lead reports that a
leader, as the subject, did something in public — "Kim Jong Un … inspected the
headquarters of the 2nd Corps … on October 17".  Read from the lexicon's
``[activity]`` verbs; the first such sentence among the first :data:`LEAD_SENTENCES`
gives the event type, the place (the verb's object) and the date (the story's date, or
the day the sentence names: "on October 17", "on Thursday").  Skipped on purpose:

- the passive ("the shop recently visited by Kim Jong Il") and the leader as object;
- recollections ("One day in January, Juche 105 (2016) … visited"): an anecdote is not
  an appearance of the day; nor is an activity others report ("The Nepalese paper
  carried…", "…, the article said");
- messages and letters ("sent a congratulatory message"): not public appearances.

Officials come from the sentences that open with the lexicon's ``accompanied`` and
``greeted`` phrases, as Korean names (a surname of the lexicon and one or two
capitalised syllables), in the order named, each with the title written after it (a
title shared by a group, "Pak To Chun, Thae Jong Su and Kim Phyong Hae, alternate
members of …", goes to each name of the group).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from propscope.analytics.leaders import Mention
from propscope.analytics.lexicon import Lexicon
from propscope.text.segment import sentences

LEAD_SENTENCES = 3
"""Sentences of a story's start searched for the activity (a dateline may come first)."""

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_WEEKDAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_ON_DAY = re.compile(
    r"\bon\s+(?:the\s+(?:morning|afternoon|evening|night)\s+of\s+)?"
    r"(?:(?P<weekday>(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)"
    r"|(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+"
    r"(?P<day>\d{1,2}))\b"
)
_RECOLLECTION = re.compile(
    r"\bOne day\b|\bJuche \d+ \(\d{4}\)|\byears ago\b|\bin (?:19|20)\d\d\b|\brecalled\b|"
    r"\bused to\b|\bduring his lifetime\b|\bwhen he\b|\btime and again\b|"
    r"\b(?:several|many|two|three) times\b", re.IGNORECASE)
_PLACE_END = re.compile(
    r"\s+on\s+(?:the\s+(?:morning|afternoon|evening|night)\s+of\s+)?"
    r"(?:[A-Z][a-z]+day|[A-Z][a-z]{2,8}\.?\s+\d)|\s+to\s+(?!the\b)[a-z]+|,|;"
    r"|(?<!\bMt)(?<!\bNo)(?<!\bno)(?<!\bSt)\.(?:\s|$)|\s+(?:which|where|that|"
    r"to learn|to acquaint|to see|together with|accompanied|amid|in order|and gave|and "
    r"watched|and learned|and looked|and went)\b")
_PLACE_START = re.compile(r"\s*(?:to|at|in|on|with)\s+(?!the\s+(?:morning|afternoon|evening))",
                          re.IGNORECASE)
_REPORTING = re.compile(
    r"\b(?:reported|carried|introduced|posted|released|issued|said|says|noted|published|"
    r"aired|praised|wrote|stated|added|quoted|broadcast|recalled|recollected)\b")
"""A verb of reporting: in the sentence before the activity, or after its verb, it makes
the activity something others tell of (foreign media, an article), not the day's news."""
_NOT_PUBLIC = re.compile(
    r"(?:an?|the|his|\w+)?\s*(?:[\w\-]+\s+){0,3}(?:message|messages|letter|letters|gift|gifts|"
    r"basket|baskets|greeting|greetings|congratulations|reply|telegram|card|cards|wreath|"
    r"present|presents|bouquet|flowers|report|reports|credentials|portrait)\b", re.IGNORECASE)
"""The object of "received …" when it is mail, not a visitor: not an appearance."""
_DATELINE = re.compile(
    r"^[A-Z][A-Za-z ]+,\s+[A-Z][a-z]+\.?\s+\d{1,2}\s+\((?:KCNA|[A-Z]+)\)\s*--\s*")
_FUNCTION_WORDS = frozenset({"the", "of", "and", "our", "in"})


def _is_subject_prefix(before: str, lexicon: Lexicon) -> bool:
    """Whether the words before a mention are only names, titles and honorifics
    ("Supreme Commander of the Korean People's Army", "The respected Comrade")."""
    reverent = {w.casefold() for phrase in lexicon.honorifics for w in phrase.split()}
    for word in re.findall(r"[\w'’\-.]+", before):
        if not (word[0].isupper() or word in _FUNCTION_WORDS or word.casefold() in reverent):
            return False
    return True


@dataclass(frozen=True, slots=True)
class Official:
    name: str
    position: int  # 1 = named first
    title: str
    role: str  # "accompanied" or "greeted"
    start: int
    end: int


@dataclass(slots=True)
class Appearance:
    person: str
    day: date | None
    event: str
    verb: str
    place: str
    start: int  # the sentence that reports it
    end: int
    officials: list[Official] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat() if self.day else None
        return data


def _verb_pattern(lexicon: Lexicon) -> re.Pattern[str] | None:
    cached = lexicon.cache.get("activity")
    if cached is None:
        verbs = {v: kind for kind, phrases in lexicon.activities.items() for v in phrases}
        if not verbs:
            return None
        alternation = "|".join(re.escape(v).replace(r"\ ", r"\s+")
                               for v in sorted(verbs, key=len, reverse=True))
        # Any case: headlines write "Kim Jong Il Inspects KPA Unit 4304".
        cached = lexicon.cache["activity"] = (re.compile(rf"\b({alternation})\b", re.IGNORECASE),
                                              {v.lower(): k for v, k in verbs.items()})
    return cached[0]  # type: ignore[index,no-any-return]


def _event_of(lexicon: Lexicon, verb: str) -> str:
    verbs: dict[str, str] = lexicon.cache["activity"][1]  # type: ignore[index]
    return verbs.get(re.sub(r"\s+", " ", verb).lower(), "activity")


def _lead(text: str) -> list[tuple[int, int]]:
    """The sentences an activity is looked for in: the story's first
    :data:`LEAD_SENTENCES`, and its headline last.

    Why last: ingestion keeps the headline as the first paragraph of the text
    ("Kim Jong Un Gives Field Guidance at …"), which names the activity but not its day;
    the lead sentence after the dateline names both ("… on July 16"), so it is read
    first, and the headline only counts when the body's lead reports nothing."""
    found = sentences(text)
    if found and _is_headline(text, *found[0]):
        return [*found[1:LEAD_SENTENCES + 1], found[0]]
    return found[:LEAD_SENTENCES]


def _is_headline(text: str, start: int, end: int) -> bool:
    """A first paragraph of one line with no closing full stop, followed by a blank line."""
    line = text[start:end].rstrip()
    return ("\n" not in line and not line.endswith((".", "!", "?", '"', "”"))
            and text[end:].lstrip(" \t").startswith("\n\n"))


def resolve_day(sentence: str, published: date | None) -> date | None:
    """The day ``sentence`` names ("on October 17", "on Thursday"), read against the
    story's date; the story's date when it names none or cannot be read."""
    match = _ON_DAY.search(sentence)
    if match is None or published is None:
        return published
    if match.group("weekday"):
        wanted = _WEEKDAYS[match.group("weekday").lower()]
        return published - timedelta(days=(published.weekday() - wanted) % 7)
    month = _MONTHS[match.group("month").lower()[:3]]
    year = published.year - (1 if month > published.month else 0)
    try:
        return date(year, month, int(match.group("day")))
    except ValueError:
        return published


def find_appearance(
    text: str, mentions: list[Mention], lexicon: Lexicon, published: date | None,
) -> Appearance | None:
    """The appearance a story reports in its lead, or ``None`` (see the module doc)."""
    pattern = _verb_pattern(lexicon)
    leaders = {p.id for p in lexicon.leaders}
    if pattern is None:
        return None
    lead = _lead(text)
    for index, (s_start, s_end) in enumerate(lead):
        sentence = text[s_start:s_end]
        if index and _REPORTING.search(text, *lead[0]):
            return None  # a story about others reporting it ("… reported abroad")
        dateline = _DATELINE.match(sentence)
        base = dateline.end() if dateline else 0
        if _RECOLLECTION.search(sentence):
            continue
        subject = next((m for m in mentions if s_start + base <= m.start < s_end
                        and m.person in leaders), None)
        if subject is None:
            continue
        before = text[s_start + base:subject.start]
        if not _is_subject_prefix(before, lexicon):
            continue  # the leader is not the subject ("… extend greetings to Kim Jong Un")
        verb = pattern.search(text, subject.end, s_end)
        if verb is None or not _links_subject(text[subject.end:verb.start()]):
            continue
        opening = _PLACE_START.match(text, verb.end(), s_end)
        place_start = opening.end() if opening else verb.end()
        if _REPORTING.search(text, verb.end(), s_end):
            continue  # "… visited the site several times, the article said"
        place_end = _PLACE_END.search(text, place_start, s_end)
        place = text[place_start:place_end.start() if place_end else s_end].strip()[:120]
        if _NOT_PUBLIC.match(place):
            continue
        appearance = Appearance(subject.person, resolve_day(sentence, published),
                                _event_of(lexicon, verb.group(1)),
                                re.sub(r"\s+", " ", verb.group(1)).lower(), place, s_start,
                                s_end)
        appearance.officials = find_officials(text, lexicon, exclude={subject.person})
        return appearance
    return None


def _links_subject(between: str) -> bool:
    """Whether the text between the subject and the verb keeps the subject its own:
    nothing, an apposition between commas, a time ("on Thursday", "on September 6")
    or "recently"."""
    between = re.sub(r"\s+(?:on\s+(?:[A-Z][a-z]+day|[A-Z][a-z]{2,8}\.?\s+\d{1,2})|recently|again|"
                     r"personally|today)\b", " ", between).strip()
    if not between:
        return True
    return bool(re.fullmatch(r",[^;.]*,|'s?", between))


def _name_pattern(lexicon: Lexicon) -> re.Pattern[str]:
    cached = lexicon.cache.get("official_names")
    if cached is None:
        surnames = "|".join(sorted(set(lexicon.officials.get("surnames", ())),
                                   key=len, reverse=True)) or "Kim|Ri|Pak|Choe"
        cached = lexicon.cache["official_names"] = re.compile(
            rf"(?<![\w'’])(?:{surnames})(?:\s+[A-Z][a-z]{{1,5}}){{1,2}}(?![\w'’])")
    return cached  # type: ignore[return-value]


def find_officials(text: str, lexicon: Lexicon, *, exclude: set[str]) -> list[Official]:
    """Officials named after the ``accompanied``/``greeted`` phrases, in order."""
    found: list[Official] = []
    names = _name_pattern(lexicon)
    for role in ("accompanied", "greeted"):
        phrases = lexicon.officials.get(role, ())
        if not phrases:
            continue
        opener = re.compile("|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases))
        for s_start, s_end in sentences(text):
            match = opener.search(text, s_start, s_end)
            if match is None:
                continue
            found.extend(_read_list(text, match.end(), s_end, names, lexicon, exclude, role,
                                    start_position=1 + sum(o.role == role for o in found)))
    return found


def _read_list(
    text: str, start: int, end: int, names: re.Pattern[str], lexicon: Lexicon,
    exclude: set[str], role: str, start_position: int,
) -> list[Official]:
    matches = []
    for m in names.finditer(text, start, end):
        person = lexicon.person(m.group())
        if person is not None and person.id in exclude:
            continue
        if text[m.end():m.end() + 1].isalpha():
            continue
        matches.append(m)
    people: list[tuple[str, int, int, str]] = []
    pending: list[int] = []  # indices of names waiting for a shared title
    for i, m in enumerate(matches):
        stop = matches[i + 1].start() if i + 1 < len(matches) else end
        title = text[m.end():stop]
        if i + 1 < len(matches):  # the next name's rank is not this one's title
            title = _RANK.sub("", title)
        title = title.strip(" ,.")
        title = re.sub(r"^(?:and\s+)|(?:,?\s+and)$", "", title).strip(" ,")
        prefix = _rank_prefix(text, start if i == 0 else matches[i - 1].end(), m.start())
        people.append((m.group(), m.start(), m.end(), (prefix + " " + title).strip()
                       if not re.fullmatch(r"|and", title) else prefix))
        if re.fullmatch(r"|and", title):
            pending.append(i)
        else:
            for j in pending:  # a group sharing the title after its last name
                name, s, e, own = people[j]
                people[j] = (name, s, e, (own + " " + title).strip())
            pending = []
    return [Official(re.sub(r"\s+", " ", name), start_position + k, title, role, s, e)
            for k, (name, s, e, title) in enumerate(people)]


def _rank_prefix(text: str, floor: int, start: int) -> str:
    """A military rank written before a name ("KPA Vice Marshal Ri Yong Ho")."""
    match = _RANK.search(text, floor, start)
    return match.group(1) if match else ""


_RANK = re.compile(
    r"((?:KPA\s+)?(?:Vice\s+|Lieut\.\s+|Lieutenant\s+|Major\s+|Colonel\s+|Col\.\s+)?"
    r"(?:Marshal|General|Colonel|Admiral)s?)\s*$")
"""A military rank written just before a name ("KPA Vice Marshal Ri Yong Ho")."""
