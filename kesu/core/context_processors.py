from django.conf import settings

from .demo_flag import demo_loaded
from .navigation import nav_items


def kesu(request):
    """Values every page needs: the main menu and the demo label when the database holds the demo."""
    return {
        "demo_label": settings.KESU_DEMO_LABEL if demo_loaded() else "",
        "nav_items": nav_items(request),
    }
