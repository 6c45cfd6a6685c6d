"""Whether this database holds the demo (so every page and report can say 演示数据)."""

from .models import SiteFlag

DEMO_FLAG = "demo"


def demo_loaded() -> bool:
    return SiteFlag.objects.filter(key=DEMO_FLAG).exists()


def set_demo_loaded() -> None:
    SiteFlag.objects.update_or_create(key=DEMO_FLAG, defaults={"value": "1"})
