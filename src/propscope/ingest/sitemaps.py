"""Sitemaps (sitemaps.org): the page URLs a site lists, and the sitemaps it nests.

Parsed with entity resolution and network access off, so a hostile sitemap cannot
read local files or make the parser fetch (the "billion laughs" and XXE attacks).
"""

from __future__ import annotations

from propscope.errors import FormatError


def sitemap_urls(data: bytes, item: str) -> tuple[list[str], list[str]]:
    """``(nested sitemaps, pages)`` listed in a ``<sitemapindex>`` or ``<urlset>``."""
    import lxml.etree

    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=False
    )
    try:
        root = lxml.etree.fromstring(data, parser=parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise FormatError(f"{item} is not a valid sitemap: {exc}") from exc
    if root is None:
        raise FormatError(f"{item} is not a valid sitemap: no root element")
    tag = lxml.etree.QName(root).localname
    if tag not in ("urlset", "sitemapindex"):
        raise FormatError(f"{item} is XML but not a sitemap (root <{tag}>)")
    locs = [(loc.text or "").strip() for loc in root.iter("{*}loc") if (loc.text or "").strip()]
    return (locs, []) if tag == "sitemapindex" else ([], locs)
