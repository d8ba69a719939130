"""A map between the offsets of a raw text and of the text normalised from it.

The normaliser (and later the fused-word repairer) writes this map at the moment it
writes the text; nothing else recomputes it.  It is piecewise: a list of breakpoints
``(norm_i, raw_i)``.  Between two breakpoints the texts either run in lock step (a
copied stretch, or a one-for-one replacement like a curly quote made straight) or a
stretch of one length became a stretch of another (``\\r\\n`` → ``\\n``, a run of
spaces → one space, a zero-width character dropped, a space inserted by a repair).
Inside such an uneven piece a start offset maps to the piece's start and an end
offset to its end, so a mapped span never shrinks below what it covered.

The map is small (a few integers per edit, none for unchanged text) and serialises to
a JSON list, so the store keeps it beside the text.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Breakpoints ``norm[k] ↦ raw[k]``; both lists start at 0 and end at the lengths."""

    norm: tuple[int, ...]
    raw: tuple[int, ...]

    @classmethod
    def identity(cls, length: int) -> "OffsetMap":
        return cls((0, length), (0, length))

    @property
    def norm_length(self) -> int:
        return self.norm[-1]

    @property
    def raw_length(self) -> int:
        return self.raw[-1]

    def is_identity(self) -> bool:
        return self.norm == self.raw

    def _locate(self, points: tuple[int, ...], i: int, length: int, end: bool) -> int:
        """Index k of the piece holding ``i``: ``[p[k], p[k+1])`` for a start offset,
        ``(p[k], p[k+1]]`` for an end offset, so an end never reaches into an edit
        that begins exactly where it stops."""
        if not 0 <= i <= length:
            raise IndexError(f"offset {i} outside 0..{length}")
        k = (bisect_left(points, i) if end else bisect_right(points, i)) - 1
        return max(0, min(k, len(points) - 2))

    def to_raw(self, i: int, *, end: bool = False) -> int:
        """Raw offset of normalised offset ``i`` (``end=True`` for an exclusive end)."""
        k = self._locate(self.norm, i, self.norm_length, end)
        n0, n1, r0, r1 = self.norm[k], self.norm[k + 1], self.raw[k], self.raw[k + 1]
        if n1 - n0 == r1 - r0:
            return r0 + (i - n0)
        if i == n0:
            return r0
        return r1 if end or i == n1 else r0

    def to_norm(self, i: int, *, end: bool = False) -> int:
        """Normalised offset of raw offset ``i`` (``end=True`` for an exclusive end)."""
        k = self._locate(self.raw, i, self.raw_length, end)
        n0, n1, r0, r1 = self.norm[k], self.norm[k + 1], self.raw[k], self.raw[k + 1]
        if n1 - n0 == r1 - r0:
            return n0 + (i - r0)
        if i == r0:
            return n0
        return n1 if end or i == r1 else n0

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        return self.to_raw(start), self.to_raw(end, end=True)

    def span_to_norm(self, start: int, end: int) -> tuple[int, int]:
        return self.to_norm(start), self.to_norm(end, end=True)

    def then(self, later: "OffsetMap") -> "OffsetMap":
        """Compose: ``self`` maps text B → raw A, ``later`` maps text C → B; result C → A.

        Used when a second stage (repair) edits text the normaliser already produced.
        """
        if later.raw_length != self.norm_length:
            raise ValueError("maps do not chain: lengths differ")
        if self.is_identity():
            return later
        if later.is_identity():
            return self
        # Breakpoints of the composition: every breakpoint of `later`, plus the images
        # in C of every breakpoint of `self` (taken through `later`).
        points: set[tuple[int, int]] = set()
        for c, b in zip(later.norm, later.raw):
            points.add((c, self.to_raw(b, end=c == later.norm_length)))
        for b, a in zip(self.norm, self.raw):
            c0 = later.to_norm(b)
            c1 = later.to_norm(b, end=True)
            points.add((c0, a))
            points.add((c1, a))
        ordered = sorted(points)
        return OffsetMap(tuple(c for c, _ in ordered), tuple(a for _, a in ordered))

    def to_json(self) -> list[list[int]]:
        return [list(self.norm), list(self.raw)]

    @classmethod
    def from_json(cls, data: list[list[int]]) -> "OffsetMap":
        norm, raw = data
        return cls(tuple(norm), tuple(raw))


class MapBuilder:
    """Builds a text and its :class:`OffsetMap` from copies and replacements, in order.

    Callers walk the raw text once, calling :meth:`copy` for stretches kept as they
    are and :meth:`replace` for stretches rewritten; one-for-one replacements of equal
    length need no breakpoint, so a text with only straightened quotes keeps an
    identity map.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.parts: list[str] = []
        self.norm_pos = 0
        self.raw_pos = 0
        self.norm_points: list[int] = [0]
        self.raw_points: list[int] = [0]

    def copy(self, raw_end: int) -> None:
        if raw_end <= self.raw_pos:
            return
        self.parts.append(self.raw[self.raw_pos : raw_end])
        self.norm_pos += raw_end - self.raw_pos
        self.raw_pos = raw_end

    def replace(self, raw_end: int, new: str) -> None:
        old_len = raw_end - self.raw_pos
        if old_len != len(new):
            self._mark()
        self.parts.append(new)
        self.norm_pos += len(new)
        self.raw_pos = raw_end
        if old_len != len(new):
            self._mark()

    def _mark(self) -> None:
        if self.norm_points[-1] == self.norm_pos and self.raw_points[-1] == self.raw_pos:
            return
        if self.norm_points[-1] == self.norm_pos or self.raw_points[-1] == self.raw_pos:
            # Two uneven edits back to back: merge into the previous breakpoint's piece.
            if len(self.norm_points) > 1 and (
                self.norm_points[-1] - self.norm_points[-2]
                != self.raw_points[-1] - self.raw_points[-2]
            ):
                self.norm_points[-1] = self.norm_pos
                self.raw_points[-1] = self.raw_pos
                return
        self.norm_points.append(self.norm_pos)
        self.raw_points.append(self.raw_pos)

    def finish(self) -> tuple[str, OffsetMap]:
        self.copy(len(self.raw))
        self._mark()
        text = "".join(self.parts)
        if self.norm_points[-1] != len(text) or self.raw_points[-1] != len(self.raw):
            self.norm_points.append(len(text))
            self.raw_points.append(len(self.raw))
        if len(self.norm_points) == 1:
            self.norm_points.append(0)
            self.raw_points.append(0)
        return text, OffsetMap(tuple(self.norm_points), tuple(self.raw_points))
