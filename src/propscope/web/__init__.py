"""The web workbench: ``propscope serve``, pages and ``/api/v1`` over one store.

See ``docs/web.md``.  :func:`create_app` builds the FastAPI application; the modules
split HTTP concerns (:mod:`.app`, :mod:`.security`, :mod:`.errors`) from the pages
(:mod:`.pages`), the API (:mod:`.api`) and the read-side queries (:mod:`.corpus`).
"""

from __future__ import annotations

from propscope.web.app import Settings, create_app

__all__ = ["Settings", "create_app"]
