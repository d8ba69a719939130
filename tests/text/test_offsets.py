"""Properties of :class:`propscope.text.offsets.OffsetMap`, above all :meth:`OffsetMap.then`.

Maps are built here the way the normaliser builds them, with :class:`MapBuilder`,
from random edit scripts; every output character remembers which input character it
was copied from (or that it was written new), which is the ground truth the maps are
checked against.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.text.offsets import MapBuilder, OffsetMap

PROPERTY = settings(max_examples=300, deadline=None)


@dataclass
class Stage:
    text: str
    offset_map: OffsetMap
    source: list[int | None]  # input index each output character was copied from


# An edit script: (keep, cut, insert) steps — copy `keep` characters, then replace the
# next `cut` characters by `insert` new ones.
steps = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(0, 3)), max_size=8
)


def apply(text: str, script: list[tuple[int, int, int]]) -> Stage:
    builder = MapBuilder(text)
    source: list[int | None] = []
    pos = 0
    for keep, cut, insert in script:
        keep = min(keep, len(text) - pos)
        builder.copy(pos + keep)
        source.extend(range(pos, pos + keep))
        pos += keep
        cut = min(cut, len(text) - pos)
        if cut == 0 and insert == 0:
            continue
        new = "#" * insert
        builder.replace(pos + cut, new)
        source.extend([None] * insert)
        pos += cut
    source.extend(range(pos, len(text)))
    out, offset_map = builder.finish()
    assert len(out) == len(source)
    return Stage(out, offset_map, source)


raw_text = st.text(alphabet="abcdefgh", max_size=25)


def check_map(m: OffsetMap, norm_len: int, raw_len: int) -> None:
    assert m.norm[0] == 0 and m.raw[0] == 0
    assert m.norm_length == norm_len and m.raw_length == raw_len
    assert list(m.norm) == sorted(m.norm) and list(m.raw) == sorted(m.raw)


@PROPERTY
@given(raw_text, steps)
def test_builder_map_follows_the_copies(raw: str, script: list[tuple[int, int, int]]) -> None:
    stage = apply(raw, script)
    check_map(stage.offset_map, len(stage.text), len(raw))
    for i, j in enumerate(stage.source):
        if j is not None:
            assert stage.offset_map.to_raw(i) == j
            assert stage.offset_map.to_norm(j) == i


@PROPERTY
@given(raw_text, steps, steps)
def test_then_composes_two_stages(raw: str, first: list, second: list) -> None:
    one = apply(raw, first)
    two = apply(one.text, second)
    composed = one.offset_map.then(two.offset_map)
    check_map(composed, len(two.text), len(raw))
    # A character that both stages copied maps straight through, both ways.
    for i, b in enumerate(two.source):
        a = one.source[b] if b is not None else None
        if a is not None:
            assert composed.to_raw(i) == a
            assert composed.to_norm(a) == i
    # Any span maps at least as wide as through the two maps one after the other.
    for start in range(len(two.text)):
        for end in range(start + 1, len(two.text) + 1):
            b0, b1 = two.offset_map.span_to_raw(start, end)
            a0, a1 = one.offset_map.span_to_raw(b0, b1) if b0 < b1 else (None, None)
            c0, c1 = composed.span_to_raw(start, end)
            assert c0 <= c1
            if a0 is not None:
                assert c0 <= a0 and a1 <= c1


@PROPERTY
@given(raw_text, steps)
def test_then_with_identity_changes_nothing(raw: str, script: list) -> None:
    stage = apply(raw, script)
    m = stage.offset_map
    assert OffsetMap.identity(len(raw)).then(m) == m
    assert m.then(OffsetMap.identity(len(stage.text))) == m


@PROPERTY
@given(raw_text, steps)
def test_json_round_trip(raw: str, script: list) -> None:
    m = apply(raw, script).offset_map
    assert OffsetMap.from_json(m.to_json()) == m


def test_then_refuses_maps_that_do_not_chain() -> None:
    with pytest.raises(ValueError, match="do not chain"):
        OffsetMap((0, 3), (0, 5)).then(OffsetMap((0, 4), (0, 4)))


def test_offsets_outside_the_text_are_refused() -> None:
    m = OffsetMap((0, 2, 4), (0, 5, 7))
    with pytest.raises(IndexError):
        m.to_raw(5)
    with pytest.raises(IndexError):
        m.to_norm(-1)


def test_an_uneven_piece_widens_a_span_rather_than_cutting_it() -> None:
    # "a  b" -> "a b": the two spaces became one.
    m = OffsetMap((0, 1, 2, 3), (0, 1, 3, 4))
    assert m.span_to_raw(1, 2) == (1, 3)
    assert m.span_to_norm(2, 3) == (1, 2)
    assert m.span_to_raw(0, 3) == (0, 4)
