"""HTMX helpers: one view serves both the page and its fragment."""


def is_htmx_partial(request) -> bool:
    """True when HTMX asked for a fragment (not a boosted full-page navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted
