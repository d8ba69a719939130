"""Very long documents, detected piece by piece in bounded memory.

Why: both detectors hold several objects per token for a whole document (the fast one
its tokens, features and CRF tables; the neural one each window's hidden states, 1.5 KB
a token), and count each span's text over the whole document.  A 29 MB page on one
line grew past 3 GB.  Here a document longer than ``limit`` characters is cut into
pieces at line breaks, else after a sentence, else at a space, else anywhere (see
:func:`propscope.text.segment.piece_bounds`), the pieces go through the detector a
bounded number of characters at a time, and their spans come back shifted to the
document's offsets.

What changes: article-wide cues (a word's repetition count, a span's recurrence) look
within a piece of 50 000 to 100 000 characters instead of the whole text.  A news
article is shorter (the longest PTC article has 48 000 characters, the longest KCNA
and Tehran Times ones 40 000 and 47 000), so it is detected exactly as before, whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from propscope.model import Document, Span
from propscope.text.segment import piece_bounds

MAX_PIECE_CHARS = 100_000

def detect_in_pieces(
    docs: Sequence[Document],
    detect: Callable[[list[Document]], list[list[Span]]],
    *,
    limit: int = MAX_PIECE_CHARS,
    pass_chars: int,
    pass_docs: int = 1_000_000,
) -> list[list[Span]]:
    """``detect`` run over ``docs`` at most ``pass_chars`` characters (and
    ``pass_docs`` documents) a call, documents longer than ``limit`` cut into pieces;
    one list of spans per document, offsets into its own text.  A document that fits
    in one piece is handed over as it is."""
    # (document index, offset of the piece in it, the piece)
    pieces: list[tuple[int, int, Document]] = []
    for i, doc in enumerate(docs):
        if len(doc.text) <= limit:
            pieces.append((i, 0, doc))
        else:
            pieces.extend((i, a, Document(text=doc.text[a:b]))
                          for a, b in piece_bounds(doc.text, limit))
    out: list[list[Span]] = [[] for _ in docs]
    batch: list[tuple[int, int, Document]] = []
    size = 0
    for item in [*pieces, None]:
        full = item is None or (batch and (size + len(item[2].text) > pass_chars
                                           or len(batch) >= pass_docs))
        if full and batch:
            for (i, offset, _), spans in zip(batch, detect([d for _, _, d in batch]),
                                             strict=True):
                out[i].extend(spans if offset == 0 else [
                    replace(s, start=s.start + offset, end=s.end + offset) for s in spans])
            batch, size = [], 0
        if item is not None:
            batch.append(item)
            size += len(item[2].text)
    return out
