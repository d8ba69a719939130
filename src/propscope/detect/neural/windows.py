"""Sentence-aligned token windows over a document, and the way back to its offsets.

Shared by training and inference so the two cut documents the same way; numpy only
(no torch), since the runtime must not need it.

A document is tokenised once (WordPiece, with each token's code-point offsets into
``Document.text``); sentences from :mod:`propscope.text.segment` become token ranges;
windows pack whole sentences up to ``max_tokens`` and the next window starts a few
sentences back so that about ``overlap`` tokens are seen twice.  A token seen by several
windows gets the weighted mean of their scores, the weight growing with its distance
from a window edge, where a transformer sees the least context.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from tokenizers import Tokenizer

from propscope.text.segment import sentences, without_surrogates

CLS_ID = 101  # BERT uncased vocabulary: [CLS], [SEP], [PAD]
SEP_ID = 102
PAD_ID = 0


@dataclass(slots=True)
class Tokens:
    """A document's WordPiece tokens: ids, ``(start, end)`` offsets into the text and the
    index of the word each token belongs to (to widen a span to whole words)."""

    ids: np.ndarray  # (N,) int64
    offsets: np.ndarray  # (N, 2) int64, code points of Document.text
    words: np.ndarray  # (N,) int64, word index (BERT pre-tokenisation)
    sentence_starts: list[int] = field(default_factory=list)  # token index of each sentence
    line_breaks: np.ndarray | None = None  # (N,) bool: a line break precedes the token

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass(frozen=True, slots=True)
class Window:
    """Tokens ``[start, end)`` of one document, fed as ``[CLS] … [SEP]``."""

    doc: int
    start: int
    end: int

    @property
    def length(self) -> int:
        """Length with the two special tokens."""
        return self.end - self.start + 2


def tokenise(tokenizer: Tokenizer, text: str) -> Tokens:
    """Tokenise a whole document without special tokens or truncation."""
    enc = tokenizer.encode(without_surrogates(text), add_special_tokens=False)
    n = len(enc.ids)
    ids = np.asarray(enc.ids, dtype=np.int64)
    offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(n, 2)
    words = np.asarray([-1 if w is None else w for w in enc.word_ids], dtype=np.int64)
    token_starts = offsets[:, 0].tolist()
    starts: list[int] = []
    for sent_start, _ in sentences(text):
        k = bisect_left(token_starts, sent_start)
        if k < n and (not starts or k > starts[-1]):
            starts.append(k)
    if n and (not starts or starts[0] != 0):
        starts.insert(0, 0)
    newlines = np.asarray([i for i, ch in enumerate(text) if ch == "\n"], dtype=np.int64)
    breaks = np.zeros(n, dtype=bool)
    if n > 1 and newlines.size:
        before = np.searchsorted(newlines, offsets[1:, 0]) - np.searchsorted(newlines, offsets[:-1, 1])
        breaks[1:] = before > 0
    return Tokens(ids, offsets, words, starts, breaks)


def load_tokenizer(path: str) -> Tokenizer:
    """A tokenizer.json with truncation and padding switched off: windows do both."""
    tokenizer = Tokenizer.from_file(path)
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def make_windows(tokens: Tokens, doc: int, max_tokens: int, overlap: int) -> list[Window]:
    """Windows of at most ``max_tokens`` (special tokens included) over whole sentences.

    A sentence longer than a window is cut into window-sized pieces.  Each next
    window starts at the earliest sentence of the previous one that keeps the overlap
    within ``overlap`` tokens, and always moves forward.
    """
    n = len(tokens)
    if n == 0:
        return []
    limit = max_tokens - 2
    bounds = tokens.sentence_starts + [n]
    units: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(bounds):
        for s in range(a, b, limit):
            units.append((s, min(b, s + limit)))
    windows: list[Window] = []
    i = 0
    while i < len(units):
        j = i
        while j < len(units) and units[j][1] - units[i][0] <= limit:
            j += 1
        windows.append(Window(doc, units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        end = units[j - 1][1]
        k = j
        while k - 1 > i and end - units[k - 1][0] <= overlap:
            k -= 1
        i = k
    return windows


def window_inputs(
    tokens: Tokens, window: Window, length: int
) -> tuple[np.ndarray, np.ndarray]:
    """``input_ids`` and ``attention_mask`` of one window, padded to ``length``."""
    ids = np.full(length, PAD_ID, dtype=np.int64)
    mask = np.zeros(length, dtype=np.int64)
    body = tokens.ids[window.start : window.end]
    ids[0] = CLS_ID
    ids[1 : 1 + len(body)] = body
    ids[1 + len(body)] = SEP_ID
    mask[: len(body) + 2] = 1
    return ids, mask


def edge_weights(n: int) -> np.ndarray:
    """Weight of each of a window's ``n`` tokens in the stitched score: 1 at the
    edges, rising to 8 a few tokens in."""
    pos = np.arange(n)
    return np.minimum(np.minimum(pos, n - 1 - pos) + 1, 8).astype(np.float32)


class Stitcher:
    """Accumulates per-token scores from overlapping windows of one document."""

    def __init__(self, n_tokens: int, n_channels: int) -> None:
        self.total = np.zeros((n_tokens, n_channels), dtype=np.float32)
        self.weight = np.zeros(n_tokens, dtype=np.float32)

    def add(self, window: Window, scores: np.ndarray) -> None:
        """``scores``: (window tokens, channels), special tokens already removed."""
        w = edge_weights(window.end - window.start)
        self.total[window.start : window.end] += scores * w[:, None]
        self.weight[window.start : window.end] += w

    def result(self) -> np.ndarray:
        return self.total / np.maximum(self.weight, 1e-6)[:, None]


def runs(
    active: np.ndarray,
    words: np.ndarray,
    max_gap: int = 0,
    breaks: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """Token ranges ``[a, b)`` of consecutive active tokens, widened to whole words and
    joined across gaps of at most ``max_gap`` tokens, never across a token marked in
    ``breaks`` (a line break: in news text, 96 % of the training spans stay on one line,
    and a run that spills over joins two unrelated claims)."""
    idx = np.flatnonzero(active)
    if idx.size == 0:
        return []
    cut = np.cumsum(breaks) if breaks is not None else None
    out: list[tuple[int, int]] = []
    a = b = int(idx[0])
    for t in idx[1:].tolist():
        if t - b - 1 <= max_gap and (cut is None or cut[t] == cut[b]):
            b = t
        else:
            out.append((a, b + 1))
            a = b = t
    out.append((a, b + 1))
    n = len(words)
    widened: list[tuple[int, int]] = []
    for a, b in out:
        while a > 0 and words[a] >= 0 and words[a - 1] == words[a]:
            a -= 1
        while b < n and words[b] >= 0 and words[b] == words[b - 1]:
            b += 1
        if widened and a < widened[-1][1]:
            widened[-1] = (widened[-1][0], max(b, widened[-1][1]))
        else:
            widened.append((a, b))
    return widened


def token_range(tokens: Tokens, start: int, end: int) -> tuple[int, int]:
    """Tokens ``[a, b)`` overlapping the characters ``[start, end)`` (may be empty when
    the characters hold no token, e.g. only spaces)."""
    starts = tokens.offsets[:, 0]
    ends = tokens.offsets[:, 1]
    a = int(np.searchsorted(ends, start, side="right"))
    b = int(np.searchsorted(starts, end, side="left"))
    return a, max(a, b)


def best_window(windows: Sequence[Window], a: int, b: int) -> int:
    """Index of the window that holds most of tokens ``[a, b)``, the most central one
    on a tie (the first of equals).

    Windows start and end in order (see :func:`make_windows`), so those that hold any
    of ``[a, b)`` are one run found by bisection: a scan of every window for each span
    was quadratic in a long document."""
    lo = bisect_right(windows, a, key=lambda w: w.end) if b > a else len(windows)
    if lo < len(windows) and windows[lo].start < b:
        stop = bisect_left(windows, b, lo, key=lambda w: w.start)
        candidates = range(lo, stop)
    else:  # no window holds a token of it: compare them all
        candidates = range(len(windows))
    best, best_key = 0, (-1, -1.0)
    for i in candidates:
        w = windows[i]
        inside = max(0, min(b, w.end) - max(a, w.start))
        margin = min(a - w.start, w.end - b)
        key = (inside, float(margin))
        if key > best_key:
            best, best_key = i, key
    return best


N_SPAN_FEATURES = 3


def span_features(
    text_lower: str, span_text: str, n_tokens: int,
    count_in_text: Callable[[str], int] | None = None,
) -> np.ndarray:
    """What the span classifier knows beyond the encoder: how often the span's words
    recur in the article (the Repetition technique) and how long the span is.
    ``count_in_text``: ``text_lower.count``, or the same answer faster for the many
    spans of one text (:class:`~propscope.detect.fast.counting.SubstringCounter`)."""
    needle = " ".join(span_text.lower().split())
    count = (count_in_text or text_lower.count)(needle) if needle else 1
    repeats = max(count - 1, 0)
    return np.asarray(
        [np.log1p(repeats), float(repeats > 0), np.log1p(n_tokens) / 4.0], dtype=np.float32
    )


def normalised_lower(text: str) -> str:
    """The text as :func:`span_features` searches it: lower case, runs of spaces as one."""
    return " ".join(text.lower().split())
