"""Pure-Python fact-extraction engine for Chinese 科普 work reports (no Django).

Public entry points:

* :func:`extract` — quantitative facts with spans in the original text;
* :func:`clean_text` — the page with boilerplate lines removed;
* :func:`split_documents` / :func:`split_sections` — page → documents → sections;
* :func:`find_near_duplicates` — near-duplicate documents across a collection;
* :func:`map_facts` — facts → indicator codes from a plain-data catalogue.

Submodules import lazily so ``import kesu.extraction.engine`` stays cheap.
"""

from __future__ import annotations

__all__ = ["extract", "clean_text", "split_documents", "split_sections", "find_near_duplicates", "map_facts"]


def __getattr__(name):  # PEP 562: lazy re-exports
    if name == "extract":
        from .facts import extract

        return extract
    if name == "clean_text":
        from .clean import clean_text

        return clean_text
    if name in ("split_documents", "split_sections"):
        from . import split

        return getattr(split, name)
    if name == "find_near_duplicates":
        from .dedup import find_near_duplicates

        return find_near_duplicates
    if name == "map_facts":
        from .mapping import map_facts

        return map_facts
    raise AttributeError(name)
