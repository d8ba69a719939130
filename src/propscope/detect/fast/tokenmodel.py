"""Token features of span finding, as integer ids computed a whole article at a time.

Why ids: a CRF fed through crfsuite at runtime needs ~16 feature *strings* per token
built in Python and hashed again in C++, ~20 µs a token on the reference machine,
which caps the detector far below 100 articles/s.  Here every feature is an integer
computed for the whole article at once with numpy (one dictionary look-up per
distinct word, none per token).  crfsuite trains on the same features spelled as
strings (:func:`crf_attributes`); its weights are then exported to tables indexed by
these ids, and :mod:`propscope.detect.fast.spans` runs the CRF's forward-backward in
numpy.

Features of token i (all ids; 0 = unseen, 1 = sentence edge):

* the lowercase word at i-2 … i+2 (five tables), its 3-letter suffix and prefix;
* the word pairs (i-1, i) and (i, i+1), when the pair was frequent in training;
* flags: the shape of words i-1, i, i+1 (lower, Capitalised, UPPER, punctuation,
  digit); the sentence is the title, has ``!`` or ``?``, is short/medium/long; i
  begins or ends the sentence; i is inside quotes; the word (a content word) recurs
  2, 3–4 or 5+ times in the article; the pair (i, i+1) recurs; the lexicon lists of
  :mod:`propscope.detect.fast.lexicon` the word is in; it is a function word.

The same :func:`token_inputs` feeds training (as crfsuite attribute strings, see
:func:`crf_attributes`) and scoring (as table indices), so the two cannot drift apart.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from propscope.detect.fast.lexicon import WORDS, lexicon_tags
from propscope.detect.fast.tokens import STOPWORDS, Tokenised

OOV, PAD = 0, 1
ID_GROUPS = ("w0", "w-1", "w+1", "w-2", "w+2", "b-", "b+", "s3", "p3")
SHAPES = ("pad", "lower", "cap", "upper", "punct", "digit")
LEX_TAGS = tuple(sorted(WORDS))
FLAGS = (
    *(f"shape{pos}={s}" for pos in ("-1", "0", "+1") for s in SHAPES),
    "title", "excl", "ques", "slen=s", "slen=m", "slen=l", "BOS", "EOS", "inq",
    "rep2", "rep3", "rep5", "repb", "stop", *(f"lex={t}" for t in LEX_TAGS),
)
_FLAG = {name: i for i, name in enumerate(FLAGS)}
_LEX_COLUMN = {tag: i for i, tag in enumerate(LEX_TAGS)}  # the lex= flags come last, in order


@dataclass(slots=True)
class TokenVocab:
    """Ids of the words, pairs and affixes frequent enough in training to weigh."""

    words: dict[str, int]  # ids from 2
    pairs: np.ndarray  # sorted int64 keys: id(a) * n_words + id(b)
    suffixes: dict[str, int]  # ids from 1
    prefixes: dict[str, int]

    _info: dict[str, tuple[int, int, int, bool, bool]] = field(default_factory=dict)

    def word_info(self, word: str) -> tuple[int, int, int, bool, bool]:
        """Word id, suffix id, prefix id, content word?, function word? — cached per
        word, since a running detector meets the same words again and again."""
        found = self._info.get(word)
        if found is None:
            if len(self._info) > 500_000:
                self._info.clear()
            long = len(word) > 3
            stop = word in STOPWORDS
            found = self._info[word] = (
                self.words.get(word, OOV),
                self.suffixes.get(word[-3:], 0) if long else 0,
                self.prefixes.get(word[:3], 0) if long else 0,
                long and not stop,
                stop,
            )
        return found

    @property
    def n_words(self) -> int:
        return len(self.words) + 2

    def group_sizes(self) -> dict[str, int]:
        sizes = dict.fromkeys(("w0", "w-1", "w+1", "w-2", "w+2"), self.n_words)
        sizes.update({"b-": len(self.pairs) + 1, "b+": len(self.pairs) + 1,
                      "s3": len(self.suffixes) + 1, "p3": len(self.prefixes) + 1})
        return sizes

    def to_json(self) -> dict[str, Any]:
        return {"words": list(self.words), "suffixes": list(self.suffixes),
                "prefixes": list(self.prefixes)}

    @classmethod
    def from_json(cls, data: dict[str, Any], pairs: np.ndarray) -> TokenVocab:
        return cls(
            {w: i + 2 for i, w in enumerate(data["words"])},
            pairs.astype(np.int64),
            {s: i + 1 for i, s in enumerate(data["suffixes"])},
            {p: i + 1 for i, p in enumerate(data["prefixes"])},
        )


def build_vocab(toks: list[Tokenised], min_count: int = 2, min_pair: int = 3) -> TokenVocab:
    """Words seen ``min_count`` times (plus every lexicon word), affixes of those words,
    and word pairs seen ``min_pair`` times, in the training articles."""
    counts: Counter[str] = Counter()
    for tok in toks:
        counts.update(tok.word_counts)
    kept = sorted({w for w, c in counts.items() if c >= min_count} | set().union(*WORDS.values()))
    words = {w: i + 2 for i, w in enumerate(kept)}
    suffixes = {s: i + 1 for i, s in enumerate(sorted({w[-3:] for w in kept if len(w) > 3}))}
    prefixes = {p: i + 1 for i, p in enumerate(sorted({w[:3] for w in kept if len(w) > 3}))}
    n = len(words) + 2
    pair_counts: Counter[int] = Counter()
    for tok in toks:
        for sent in tok.sentences:
            ids = [words.get(w, OOV) for w in sent.lowers]
            pair_counts.update(a * n + b for a, b in itertools.pairwise(ids))
    pairs = np.array(sorted(k for k, c in pair_counts.items() if c >= min_pair), dtype=np.int64)
    return TokenVocab(words, pairs, suffixes, prefixes)


@dataclass(slots=True)
class TokenInputs:
    """Per-token feature ids of one article: ``ids[group]`` (n,) and a flag matrix."""

    ids: dict[str, np.ndarray]
    flags: np.ndarray  # (n, len(FLAGS)) uint8
    sentence: np.ndarray  # sentence number of each token
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)


def _shape_codes(text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Shape of each token from its first two code points (ASCII rules, vectorised)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    first = codes[starts]
    second = codes[np.minimum(starts + 1, len(codes) - 1)]
    two = (ends - starts) > 1
    upper1 = (first >= 65) & (first <= 90)
    upper2 = (second >= 65) & (second <= 90)
    digit = (first >= 48) & (first <= 57)
    alpha = upper1 | ((first >= 97) & (first <= 122)) | (first > 127)
    shape = np.full(len(starts), SHAPES.index("punct"), dtype=np.int64)
    shape[alpha] = SHAPES.index("lower")
    shape[upper1] = SHAPES.index("cap")
    shape[upper1 & two & upper2] = SHAPES.index("upper")
    shape[digit] = SHAPES.index("digit")
    return shape


def token_inputs(tok: Tokenised, vocab: TokenVocab) -> TokenInputs:
    """Feature ids and flags of every token of ``tok`` (see the module docstring)."""
    sents = tok.sentences
    lowers = [w for s in sents for w in s.lowers]
    n = len(lowers)
    lengths = np.array([len(s.lowers) for s in sents], dtype=np.int64)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return TokenInputs({g: empty for g in ID_GROUPS}, np.zeros((0, len(FLAGS)), np.uint8),
                           empty, empty, empty)
    flat = itertools.chain.from_iterable(itertools.chain.from_iterable(s.tokens for s in sents))
    spans = np.fromiter(flat, np.int64, 2 * n).reshape(n, 2)
    starts, ends = spans[:, 0], spans[:, 1]
    sentence = np.repeat(np.arange(len(sents)), lengths)
    first_of = np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos = np.arange(n) - first_of
    last = np.repeat(lengths, lengths) - 1

    # one id per distinct word of the article; per-token arrays come from indexing
    local: dict[str, int] = {}
    lid = np.fromiter(map(local.setdefault, lowers, itertools.count()), np.int64, n)
    uniq = list(local)
    slots = np.fromiter(local.values(), np.int64, len(local))
    info = vocab.word_info
    # per distinct word: (word id, suffix id, prefix id, content word?, function word?)
    table = np.zeros((n, 5), dtype=np.int64)
    table[slots] = [info(w) for w in uniq]
    g_of, s_of, p_of = table[:, 0], table[:, 1], table[:, 2]
    content_of, stop_of = table[:, 3].astype(bool), table[:, 4].astype(bool)
    w0 = g_of[lid]

    def shifted(values: np.ndarray, k: int, fill: int) -> np.ndarray:
        out = np.full(n, fill, dtype=values.dtype)
        if k > 0:  # value of the token k before
            ok = pos >= k
            out[ok] = values[np.nonzero(ok)[0] - k]
        else:
            ok = pos <= last + k
            out[ok] = values[np.nonzero(ok)[0] - k]
        return out

    w_prev, w_next = shifted(w0, 1, PAD), shifted(w0, -1, PAD)
    n_words = vocab.n_words

    def pair_ids(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        keys = a * n_words + b
        at = np.searchsorted(vocab.pairs, keys)
        at_c = np.minimum(at, max(len(vocab.pairs) - 1, 0))
        found = (vocab.pairs[at_c] == keys) if len(vocab.pairs) else np.zeros(n, bool)
        return np.where(found, at_c + 1, 0)

    ids = {
        "w0": w0, "w-1": w_prev, "w+1": w_next,
        "w-2": shifted(w0, 2, PAD), "w+2": shifted(w0, -2, PAD),
        "b-": pair_ids(w_prev, w0), "b+": pair_ids(w0, w_next),
        "s3": s_of[lid], "p3": p_of[lid],
    }

    flags = np.zeros((n, len(FLAGS)), dtype=np.uint8)
    rows = np.arange(n)
    shape = _shape_codes(tok.text, starts, ends)
    pad_shape = SHAPES.index("pad")
    flags[rows, _FLAG["shape0=pad"] + shape] = 1
    flags[rows, _FLAG["shape-1=pad"] + shifted(shape, 1, pad_shape)] = 1
    flags[rows, _FLAG["shape+1=pad"] + shifted(shape, -1, pad_shape)] = 1
    per_sent = np.zeros((len(sents), 6), dtype=np.uint8)
    per_sent[0, 0] = sents[0].index == 0
    per_sent[:, 1] = [s.exclaim for s in sents]
    per_sent[:, 2] = [s.question for s in sents]
    per_sent[:, 3] = lengths < 8
    per_sent[:, 4] = (lengths >= 8) & (lengths < 25)
    per_sent[:, 5] = lengths >= 25
    flags[:, _FLAG["title"]: _FLAG["title"] + 6] = per_sent[sentence]
    flags[:, _FLAG["BOS"]] = pos == 0
    flags[:, _FLAG["EOS"]] = (pos == last) & (pos > 0)
    quote = np.array([w == '"' for w in lowers], dtype=np.int64)
    if quote.any():
        running = np.cumsum(quote)
        before = running - quote - (running - quote)[first_of]
        flags[:, _FLAG["inq"]] = (before % 2 == 1) & (quote == 0)
    counts = np.bincount(lid, minlength=n)[lid]
    content = content_of[lid]
    flags[:, _FLAG["rep2"]] = content & (counts == 2)
    flags[:, _FLAG["rep3"]] = content & (counts >= 3) & (counts <= 4)
    flags[:, _FLAG["rep5"]] = content & (counts >= 5)
    stop = stop_of[lid]
    flags[:, _FLAG["stop"]] = stop
    next_lid = shifted(lid, -1, -1)
    pair_key = np.where(next_lid >= 0, lid * (n + 1) + next_lid, -1 - np.arange(n))
    _, inverse, pair_count = np.unique(pair_key, return_inverse=True, return_counts=True)
    flags[:, _FLAG["repb"]] = (pair_count[inverse] > 1) & ~stop & (next_lid >= 0)
    # one row of lexicon flags per distinct word, then indexed per token: a mask per
    # lexicon word of the article cost a pass over every token for each
    lex = np.zeros((n, len(LEX_TAGS)), dtype=np.uint8)  # slots run up to n, like table
    for word, slot in local.items():
        for tag in lexicon_tags(word):
            lex[slot, _LEX_COLUMN[tag]] = 1
    first_lex = _FLAG["lex=" + LEX_TAGS[0]]
    flags[:, first_lex : first_lex + len(LEX_TAGS)] = lex[lid]
    return TokenInputs(ids, flags, sentence, starts, ends)


def crf_attributes(inputs: TokenInputs) -> list[list[list[str]]]:
    """The features of :func:`token_inputs` as crfsuite attribute strings
    (``"w0:123"``, ``"f:title"``), one list per token, one list of those per sentence.
    Training only: at runtime the exported weights are indexed by the ids directly."""
    n = len(inputs)
    if n == 0:
        return []
    columns = [[f"{group}:{i}" for i in inputs.ids[group].tolist()] for group in ID_GROUPS]
    rows, cols = np.nonzero(inputs.flags)
    flag_lists: list[list[str]] = [[] for _ in range(n)]
    for r, c in zip(rows.tolist(), cols.tolist()):
        flag_lists[r].append(FLAG_ATTRS[c])
    tokens = [[*attrs, *flags] for *attrs, flags in zip(*columns, flag_lists)]
    bounds = np.flatnonzero(np.diff(inputs.sentence)) + 1
    edges = [0, *bounds.tolist(), n]
    return [tokens[a:b] for a, b in itertools.pairwise(edges)]


FLAG_ATTRS = tuple(f"f:{name}" for name in FLAGS)
