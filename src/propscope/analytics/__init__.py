"""Corpus intelligence over a store: leaders and their titles, appearances with the
officials named in order, targets of attack, slogans, passages that travel, trends
with change points.

>>> from propscope.store import open_store
>>> from propscope.analytics import report, render_html
>>> with open_store("kcna.db") as store:                        # doctest: +SKIP
...     found = report(store, since=date(2012, 1, 1))
...     page = render_html(found)

Every stage keeps its per-text results in the store's database (table
``analytics_facts``), so a second report reads only the texts added since.  See
``docs/analytics.md``.
"""

from __future__ import annotations

from propscope.analytics.html import render_html
from propscope.analytics.lexicon import Lexicon, bundled_countries, load_lexicon
from propscope.analytics.reporting import Report, report

__all__ = ["Lexicon", "Report", "bundled_countries", "load_lexicon", "render_html", "report"]
