"""A map between the offsets of a raw text and of the text normalised from it.

The normaliser (and later the fused-word repairer) writes this map at the moment it
writes the text; nothing else recomputes it.  It is piecewise: a list of breakpoints
``(norm_i, raw_i)``.  Between two breakpoints the texts either run in lock step (a
copied stretch, or a one-for-one replacement like a curly quote made straight) or a
stretch of one length became a stretch of another (``\\r\\n`` → ``\\n``, a run of
spaces → one space, a zero-width character dropped, a space inserted by a repair).
Inside such an uneven piece a start offset maps to the piece's start and an end
offset to its end, so a mapped span never shrinks below what it covered.

A piece whose two sides have the same length is taken as lock step (a straightened
quote needs no breakpoint at all) unless it is listed in ``uneven``: NFC can reorder
marks without changing the length, and two edits that meet can cancel out in length,
and mapping those letter by letter would point into the wrong characters.

The map is small (a few integers per edit, none for unchanged text) and serialises to
a JSON list, so the store keeps it beside the text.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Breakpoints ``norm[k] ↦ raw[k]``; both lists start at 0 and end at the lengths.

    ``uneven`` lists the pieces ``k`` (between breakpoints ``k`` and ``k + 1``) whose
    sides have equal length but do not run in lock step.
    """

    norm: tuple[int, ...]
    raw: tuple[int, ...]
    uneven: tuple[int, ...] = ()

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        return cls((0, length), (0, length))

    @property
    def norm_length(self) -> int:
        return self.norm[-1]

    @property
    def raw_length(self) -> int:
        return self.raw[-1]

    def is_identity(self) -> bool:
        return self.norm == self.raw and not self.uneven

    def lock_step(self, k: int) -> bool:
        """Whether piece ``k`` copies its text one character for one."""
        return (
            self.norm[k + 1] - self.norm[k] == self.raw[k + 1] - self.raw[k]
            and k not in self.uneven
        )

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
        if self.lock_step(k):
            return r0 + (i - n0)
        if i == n0:
            return r0
        return r1 if end or i == n1 else r0

    def to_norm(self, i: int, *, end: bool = False) -> int:
        """Normalised offset of raw offset ``i`` (``end=True`` for an exclusive end)."""
        k = self._locate(self.raw, i, self.raw_length, end)
        n0, n1, r0, r1 = self.norm[k], self.norm[k + 1], self.raw[k], self.raw[k + 1]
        if self.lock_step(k):
            return n0 + (i - r0)
        if i == r0:
            return n0
        return n1 if end or i == r1 else n0

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        return self.to_raw(start), self.to_raw(end, end=True)

    def span_to_norm(self, start: int, end: int) -> tuple[int, int]:
        return self.to_norm(start), self.to_norm(end, end=True)

    def _exact(self, i: int, *, from_raw: bool) -> list[int]:
        """Where offset ``i`` lands exactly on the other side: every breakpoint paired
        with it, the shifted point inside a lock-step piece, or nothing inside an
        uneven piece (where no single point corresponds)."""
        src, dst = (self.raw, self.norm) if from_raw else (self.norm, self.raw)
        lo, hi = bisect_left(src, i), bisect_right(src, i)
        if lo < hi:
            return list(dst[lo:hi])
        k = lo - 1
        return [dst[k] + (i - src[k])] if self.lock_step(k) else []

    def then(self, later: OffsetMap) -> OffsetMap:
        """Compose: ``self`` maps text B → raw A, ``later`` maps text C → B; result C → A.

        Used when a second stage (NFC after the edits, a repair after normalising)
        rewrites text an earlier stage produced.  The composition keeps every point
        where both maps are exact (a breakpoint, or a point inside a lock-step piece)
        and lets a point that falls inside an uneven piece of either map vanish, so
        that piece widens: a span mapped through the composition covers at least
        what it covered through the two maps one after the other.
        """
        if later.raw_length != self.norm_length:
            raise ValueError("maps do not chain: lengths differ")
        if self.is_identity():
            return later
        if later.is_identity():
            return self
        # Walk every breakpoint of either map in B; each kept anchor (c, a) notes
        # whether the piece that ends at it is lock step in the composition.
        anchors: list[tuple[int, int, bool]] = []
        dropped = False
        previous_b = 0
        for b in sorted(set(self.norm) | set(later.raw)):
            in_c = later._exact(b, from_raw=True)  # points of C that are b
            in_a = self._exact(b, from_raw=False)  # points of A that b is
            if not (in_c and in_a):
                dropped = True
                continue
            if anchors:
                mid = (previous_b + b) / 2  # inside the B piece since the last anchor
                even = (
                    not dropped
                    and self.lock_step(_piece(self.norm, mid))
                    and later.lock_step(_piece(later.raw, mid))
                )
                anchors.append((in_c[0], in_a[0], even))
            else:
                anchors.append((in_c[0], in_a[0], True))
            # Several points on one side: text inserted (C) or deleted (A) at b.
            # Pairing first with first and last with last keeps both sides in order.
            if (in_c[-1], in_a[-1]) != (in_c[0], in_a[0]):
                anchors.append((in_c[-1], in_a[-1], False))
            dropped = False
            previous_b = b
        return _from_anchors(anchors)

    def to_json(self) -> list[list[int]]:
        data = [list(self.norm), list(self.raw)]
        if self.uneven:
            data.append(list(self.uneven))
        return data

    @classmethod
    def from_json(cls, data: list[list[int]]) -> OffsetMap:
        norm, raw, *rest = data
        return cls(tuple(norm), tuple(raw), tuple(rest[0]) if rest else ())


def _piece(points: tuple[int, ...], x: float) -> int:
    """Index of the piece of ``points`` whose open interior holds ``x``."""
    return bisect_right(points, x) - 1


def _from_anchors(anchors: list[tuple[int, int, bool]]) -> OffsetMap:
    """An :class:`OffsetMap` from ordered anchors, dropping repeated points and those
    in the middle of one lock-step run."""
    norm: list[int] = []
    raw: list[int] = []
    even: list[bool] = []  # even[k]: piece k (ending at point k + 1) is lock step
    for c, a, lock in anchors:
        if norm and (norm[-1], raw[-1]) == (c, a):
            continue
        if (
            len(norm) >= 2 and lock and even[-1]
            and c - norm[-1] == a - raw[-1] and norm[-1] - norm[-2] == raw[-1] - raw[-2]
        ):
            norm[-1], raw[-1] = c, a  # extend the lock-step run
            continue
        if norm:
            even.append(lock)
        norm.append(c)
        raw.append(a)
    uneven = tuple(
        k for k, lock in enumerate(even)
        if not lock and norm[k + 1] - norm[k] == raw[k + 1] - raw[k]
    )
    return OffsetMap(tuple(norm), tuple(raw), uneven)


class MapBuilder:
    """Builds a text and its :class:`OffsetMap` from copies and replacements, in order.

    Callers walk the raw text once, calling :meth:`copy` for stretches kept as they
    are and :meth:`replace` for stretches rewritten.  A one-for-one replacement (same
    length, each new character standing for the old one in its place, like a quote
    made straight) needs no breakpoint, so a text with only straightened quotes keeps
    an identity map.  Replacements that meet with no copy between them make one
    uneven piece.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.parts: list[str] = []
        self.norm_pos = 0
        self.raw_pos = 0
        self._norm: list[int] = [0]
        self._raw: list[int] = [0]
        self._uneven: list[int] = []
        self._open = False  # an uneven piece ends at the current position, still growing

    def copy(self, raw_end: int) -> None:
        if raw_end <= self.raw_pos:
            return
        self._close()
        self.parts.append(self.raw[self.raw_pos : raw_end])
        self.norm_pos += raw_end - self.raw_pos
        self.raw_pos = raw_end

    def replace(self, raw_end: int, new: str, *, one_for_one: bool = True) -> None:
        """Write ``new`` in place of ``raw[pos:raw_end]``; ``one_for_one=False`` when
        the new text has the old length but its characters do not correspond in place
        (NFC reordering marks)."""
        old_len = raw_end - self.raw_pos
        if old_len == 0 and not new:
            return
        if old_len == len(new) and one_for_one:
            self._close()  # a lock-step stretch, like a copy: it needs no breakpoint
        elif not self._open:
            self._point()
            self._open = True
        self.parts.append(new)
        self.norm_pos += len(new)
        self.raw_pos = raw_end

    def _point(self) -> None:
        if (self._norm[-1], self._raw[-1]) != (self.norm_pos, self.raw_pos):
            self._norm.append(self.norm_pos)
            self._raw.append(self.raw_pos)

    def _close(self) -> None:
        if not self._open:
            return
        self._point()
        k = len(self._norm) - 2
        if self._norm[k + 1] - self._norm[k] == self._raw[k + 1] - self._raw[k]:
            self._uneven.append(k)
        self._open = False

    def finish(self) -> tuple[str, OffsetMap]:
        self.copy(len(self.raw))
        self._close()
        self._point()
        text = "".join(self.parts)
        if len(self._norm) == 1:
            self._norm.append(0)
            self._raw.append(0)
        return text, OffsetMap(tuple(self._norm), tuple(self._raw), tuple(self._uneven))
