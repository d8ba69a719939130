"""Windowing, stitching and decoding: the numpy half shared by training and inference."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.detect.fast.counting import SubstringCounter
from propscope.detect.neural.runtime import default_model_path, rank_techniques
from propscope.detect.neural.windows import (
    Stitcher,
    Tokens,
    Window,
    best_window,
    load_tokenizer,
    make_windows,
    runs,
    span_features,
    token_range,
    tokenise,
    window_inputs,
)


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(str(default_model_path().parent / "neural-v1.tokenizer.json"))


def _article(n_sentences: int) -> str:
    lines = [
        f"Sentence number {i} says that the harvest grew by {i * 7} tonnes."
        for i in range(n_sentences)
    ]
    return "A title\n\n" + "\n".join(lines)


def test_tokens_index_the_text(tokenizer):
    text = "Café “quotes” and émigrés — naïve!\nSecond line."
    tokens = tokenise(tokenizer, text)
    assert len(tokens) > 0
    for start, end in tokens.offsets.tolist():
        assert 0 <= start < end <= len(text)
        assert text[start:end].strip()
    assert tokens.sentence_starts[0] == 0
    assert tokens.line_breaks is not None
    second = int(np.argmax(tokens.offsets[:, 0] >= text.index("Second")))
    assert tokens.line_breaks[second]
    assert tokens.line_breaks.sum() == 1


@pytest.mark.parametrize("max_tokens,overlap", [(32, 8), (64, 16), (256, 48)])
def test_windows_cover_every_token_within_the_limit(tokenizer, max_tokens, overlap):
    tokens = tokenise(tokenizer, _article(40))
    windows = make_windows(tokens, 0, max_tokens, overlap)
    covered = np.zeros(len(tokens), dtype=int)
    for w in windows:
        assert w.length <= max_tokens
        covered[w.start : w.end] += 1
    assert covered.min() >= 1
    starts = [w.start for w in windows]
    assert starts == sorted(set(starts)), "windows must move forward"
    for prev, nxt in itertools.pairwise(windows):
        assert prev.end - nxt.start <= max(overlap, 0) or nxt.start == prev.end
        assert nxt.start in tokens.sentence_starts or nxt.start % (max_tokens - 2) == 0


def test_a_sentence_longer_than_a_window_is_cut(tokenizer):
    text = " ".join(["word"] * 700)
    tokens = tokenise(tokenizer, text)
    windows = make_windows(tokens, 0, 128, 32)
    assert all(w.length <= 128 for w in windows)
    assert windows[-1].end == len(tokens)


def test_empty_text_has_no_windows(tokenizer):
    tokens = tokenise(tokenizer, "")
    assert len(tokens) == 0
    assert make_windows(tokens, 0, 256, 48) == []


def test_window_inputs_wrap_and_pad(tokenizer):
    tokens = tokenise(tokenizer, "Short text.")
    (w,) = make_windows(tokens, 0, 256, 48)
    ids, mask = window_inputs(tokens, w, w.length + 3)
    assert ids[0] == 101 and ids[w.length - 1] == 102
    assert mask.sum() == w.length and ids[w.length:].tolist() == [0, 0, 0]


def test_stitcher_weights_overlapping_windows():
    st = Stitcher(6, 1)
    st.add(Window(0, 0, 4), np.ones((4, 1), dtype=np.float32))
    st.add(Window(0, 2, 6), np.zeros((4, 1), dtype=np.float32))
    out = st.result()[:, 0]
    assert out[0] == 1.0 and out[5] == 0.0
    assert 0.0 < out[2] < 1.0 and 0.0 < out[3] < 1.0


def test_runs_join_small_gaps_widen_words_and_stop_at_line_breaks():
    words = np.array([0, 0, 1, 2, 3, 4, 4, 5])
    active = np.array([0, 1, 0, 1, 0, 0, 1, 0], dtype=bool)
    assert runs(active, words, max_gap=0) == [(0, 2), (3, 4), (5, 7)]
    assert runs(active, words, max_gap=1) == [(0, 4), (5, 7)]
    breaks = np.array([0, 0, 0, 1, 0, 0, 0, 0], dtype=bool)
    assert runs(active, words, max_gap=1, breaks=breaks) == [(0, 2), (3, 4), (5, 7)]
    assert runs(np.zeros(8, dtype=bool), words) == []


def test_token_range_and_best_window(tokenizer):
    text = "One two three four five six seven."
    tokens = tokenise(tokenizer, text)
    a, b = token_range(tokens, text.index("three"), text.index("five") + 4)
    assert [text[s:e] for s, e in tokens.offsets[a:b].tolist()] == ["three", "four", "five"]
    assert token_range(tokens, 3, 4)[1] - token_range(tokens, 3, 4)[0] == 0  # a space only
    windows = [Window(0, 0, 4), Window(0, 2, 8)]
    assert best_window(windows, 3, 6) == 1
    assert best_window(windows, 0, 2) == 0


def test_span_features_count_repeats():
    text = "victory is ours. victory will come. we want peace."
    once = span_features(text, "peace", 1)
    thrice = span_features(text, "Victory", 1)
    assert once[0] == 0.0 and once[1] == 0.0
    assert thrice[0] > 0.0 and thrice[1] == 1.0


def test_rank_techniques_gives_repeats_the_runner_up():
    probs = np.array([[0.1, 0.7, 0.2], [0.1, 0.7, 0.2], [0.6, 0.3, 0.1]])
    names = ["a", "b", "c"]
    assert rank_techniques(probs, [(0, 5), (0, 5), (7, 9)], names) == ["b", "c", "a"]


def _best_window_by_scan(windows, a, b):
    """The definition: every window compared, the first of equals kept."""
    keys = [(max(0, min(b, w.end) - max(a, w.start)), float(min(a - w.start, w.end - b)))
            for w in windows]
    return max(range(len(windows)), key=lambda i: (keys[i], -i))


@given(st.lists(st.integers(1, 40), min_size=1, max_size=30), st.integers(8, 64),
       st.integers(0, 16), st.data())
@settings(max_examples=200, deadline=None)
def test_best_window_by_bisection_is_the_scans_choice(lengths, max_tokens, overlap, data):
    starts = list(itertools.accumulate([0, *lengths[:-1]]))
    n = sum(lengths)
    tokens = Tokens(np.zeros(n, np.int64), np.zeros((n, 2), np.int64), np.zeros(n, np.int64),
                    starts)
    windows = make_windows(tokens, 0, max_tokens, min(overlap, max_tokens - 3))
    a = data.draw(st.integers(0, n - 1))
    b = data.draw(st.integers(a + 1, n + 3))
    assert best_window(windows, a, b) == _best_window_by_scan(windows, a, b)


def test_classify_of_many_spans_in_a_long_text_is_not_quadratic():
    """A span's window was found by scanning all of them, and its repetition counted
    over the whole text once per span: 2 000 windows x 20 000 spans."""
    windows = [Window(0, 100 * k, 100 * k + 190) for k in range(2_000)]
    started = time.perf_counter()
    for k in range(20_000):
        best_window(windows, 10 * k, 10 * k + 5)
    assert time.perf_counter() - started < 5  # ~0.1 s; the scan took ~40 s
    lower = " ".join(f"the glorious leader {k} spoke" for k in range(40_000))
    counter = SubstringCounter(lower)
    started = time.perf_counter()
    for k in range(20_000):
        feats = span_features(lower, f"Glorious  leader {k} spoke", 4, counter.count)
        assert feats[1] == 0.0  # each line once: "leader 1 spoke" is not in "leader 10 spoke"
    assert time.perf_counter() - started < 5  # ~0.5 s; a scan for each took ~20 s


def test_lone_surrogates_tokenise_as_replacement_characters(tokenizer):
    text = "Bad \udcff byte among imperialist reactionaries."
    tokens = tokenise(tokenizer, text)
    clean = tokenise(tokenizer, text.replace("\udcff", "\ufffd"))
    assert tokens.ids.tolist() == clean.ids.tolist()
    assert tokens.offsets.tolist() == clean.offsets.tolist()
