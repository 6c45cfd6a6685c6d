from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .demo_flag import demo_loaded
from .navigation import nav_items


def kesu(request):
    """Values every page needs: the main menu and the demo label when the database holds the demo.

    Lazy: an HTMX partial (a saved grid cell, a chart) is rendered with the same context processors but shows
    neither, so it should not pay for them.
    """
    return {
        "demo_label": SimpleLazyObject(lambda: settings.KESU_DEMO_LABEL if demo_loaded() else ""),
        "nav_items": SimpleLazyObject(lambda: nav_items(request)),
    }
