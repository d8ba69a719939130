"""Three kinds of sameness, kept apart on purpose.

* **Same address** — :func:`canonical_url` maps the spellings of one URL to one key
  (case of scheme and host, default ports, fragments, tracking parameters, trailing
  slashes, parameter order), so re-fetching a page a feed links with ``?utm_source=rss``
  adds no second URL row.
* **Same text** — ``Document.content_hash`` (SHA-256 of the normalised, repaired text):
  a text filed under several URLs is stored and analysed once.
* **Nearly the same text** — a MinHash of word 3-grams, indexed with locality-sensitive
  hashing (datasketch).  A story republished with a changed dateline is a different
  text, worth analysing on its own, so near-duplicates are *linked*, never dropped.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

if TYPE_CHECKING:  # datasketch pulls in scipy (~0.7 s): imported where it is used
    from datasketch import LeanMinHash

_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga",
     "_gl", "oly_anon_id", "oly_enc_id", "vero_id", "wt_mc", "cmpid", "ncid", "sr_share"}
)


def is_tracking_param(name: str) -> bool:
    """True for a query parameter that says how a reader arrived, not what they read."""
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The key under which ``url`` is stored: the same for every spelling of one page.

    Scheme and host are lowercased, a default port and the fragment dropped, tracking
    parameters removed and the rest sorted, and a trailing slash removed from any path
    but the root.  The path's case is kept: servers may treat it as significant.
    Anything that is not an absolute URL (a file path, a bare name) comes back with
    only surrounding white space removed.
    """
    url = url.strip()
    parts = urlsplit(url)
    if not parts.scheme or not (parts.netloc or parts.scheme == "file"):
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the address as written
        port = None
    netloc = host
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{userinfo}@{host}"
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc += f":{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not is_tracking_param(k)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***``: for messages and titles."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


# -- near-duplicates ---------------------------------------------------------------

NUM_PERM = 128
"""Permutations per signature: 128 32-bit values (512 bytes a text) estimate a Jaccard
similarity of 0.8 within about ±0.04."""
THRESHOLD = 0.8
SEED = 1
SCHEME = "affine32"
"""datasketch's hashing scheme, pinned: stored signatures must stay comparable when the
library's default changes (as it did in datasketch 2.0).  Shingles are hashed with
CRC-32 (deterministic, in C, ten times faster than datasketch's SHA-1 default; the
seeded permutations on top make up for its weaker mixing)."""
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = 3) -> set[bytes]:
    """Lowercased word ``size``-grams: robust to changed punctuation and spacing, and
    sharp enough that two stories on one topic do not look alike."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The seeded permutations, made once: datasketch would redo them per text."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def signature(text: str) -> bytes | None:
    """The MinHash of ``text`` as bytes for the store; ``None`` for a text without words."""
    grams = shingles(text)
    if not grams:
        return None
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=zlib.crc32,
                      permutations=_permutations())
    minhash.update_batch(list(grams))
    return np.asarray(minhash.hashvalues, dtype=np.uint32).tobytes()


def _from_bytes(data: bytes) -> LeanMinHash:
    from datasketch import LeanMinHash

    values = np.frombuffer(data, dtype=np.uint32)
    if len(values) != NUM_PERM:
        raise ValueError(f"signature has {len(values)} values, expected {NUM_PERM}")
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


class NearDuplicateIndex:
    """The LSH index of every stored text's signature, held in memory while a run
    adds texts.  Built once per run from the store (under 1 KB per text), it answers
    "which stored texts look like this one?" without comparing against all of them."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        from datasketch import MinHashLSH

        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._hashes: dict[int, LeanMinHash] = {}

    @classmethod
    def from_signatures(cls, items: Iterable[tuple[int, bytes]]) -> NearDuplicateIndex:
        index = cls()
        for text_id, data in items:
            index._insert(text_id, _from_bytes(data))
        return index

    def __len__(self) -> int:
        return len(self._hashes)

    def _insert(self, text_id: int, minhash: LeanMinHash) -> None:
        if text_id not in self._hashes:
            self._lsh.insert(text_id, minhash)
            self._hashes[text_id] = minhash

    def add(self, text_id: int, data: bytes) -> list[tuple[int, float]]:
        """Index a new text; return ``(other_text_id, estimated_jaccard)`` for every
        indexed text at or above the threshold."""
        minhash = _from_bytes(data)
        links = []
        for other in self._lsh.query(minhash):
            if other == text_id:
                continue
            jaccard = float(minhash.jaccard(self._hashes[other]))
            if jaccard >= self.threshold:
                links.append((int(other), round(jaccard, 4)))
        self._insert(text_id, minhash)
        return sorted(links)

    def discard(self, text_ids: Iterable[int]) -> None:
        """Forget texts whose transaction was rolled back."""
        for text_id in text_ids:
            if self._hashes.pop(text_id, None) is not None:
                self._lsh.remove(text_id)
