"""System checks that catch a broken set-up early, with a message that says how to fix it."""

from django.conf import settings
from django.core.checks import Warning, register

VENDOR_PACKAGES = ["bootstrap/dist", "bootstrap-icons/font", "htmx.org/dist", "echarts/dist"]


@register()
def front_end_packages(app_configs, **kwargs):  # noqa: ARG001 (a system check's signature)
    missing = [p for p in VENDOR_PACKAGES if not (settings.NODE_MODULES_DIR / p).is_dir()]
    if not missing:
        return []
    return [Warning(
        f"前端依赖缺失：{', '.join(missing)}（位于 {settings.NODE_MODULES_DIR}）",
        hint="运行 make setup（npm ci）安装前端依赖；页面样式、图表和 HTMX 依赖这些包。",
        id="kesu.W001",
    )]
