"""Hypothesis strategies for raw text that exercises every edit the normaliser makes.

A plain ``st.text()`` rarely draws a soft hyphen next to a combining mark; this
alphabet is weighted towards exactly the characters the normaliser rewrites, so the
properties meet them in a few hundred examples.
"""

from __future__ import annotations

from hypothesis import strategies as st

TRICKY = [
    "a", "b", "Z", "9", "é", " ", " ", ".", "!", "?", "\n", "\r", "\r\n", "\t",
    "\u00a0",  # no-break space
    "\u3000",  # ideographic space
    "\u2002",  # en space
    "\u200b",  # zero-width space
    "\u00ad",  # soft hyphen
    "\ufeff",  # byte-order mark
    "\x00", "\x07", "\x85",
    "\u2018", "\u2019", "\u201c", "\u201d",  # curly quotes
    "e\u0301", "\u0301", "\u0308", "\u0323",  # combining marks
    "\u1100", "\u1161", "\u11a8", "\uac00",  # Hangul jamo and a syllable
    "\u09c7", "\u09be",  # Bengali vowel signs that compose as two starters
    "\U0001f600",  # outside the BMP
]

tricky_text = st.lists(st.sampled_from(TRICKY), max_size=40).map("".join)
"""Short strings drawn from :data:`TRICKY`."""

any_text = tricky_text | st.text(max_size=60)
"""The tricky alphabet, or any Unicode text."""
