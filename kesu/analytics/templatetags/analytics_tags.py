from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def fig(value, places: int = 2) -> str:
    """A figure for reading: 12,345 or 12,345.67; empty → “—”."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.{int(places)}f}".rstrip("0").rstrip(".")


@register.filter
def signed(value) -> str:
    if value is None:
        return "—"
    text = fig(abs(Decimal(value)))
    return ("+" if value > 0 else "−" if value < 0 else "") + text


@register.filter
def pct(value) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):.1f}%"


TABS = [("dashboard", "总览"), ("progress", "目标进度"), ("indicator_explorer", "指标查询"), ("ranking", "区域排名"),
        ("compare", "对比分析"), ("consistency", "上下级一致性"), ("pivot", "统计表"), ("publications", "公开发布"),
        ("tokens", "API 令牌")]


@register.simple_tag(takes_context=True)
def analytics_tabs(context):
    user = context.get("user")
    role = "admin" if getattr(user, "is_superuser", False) else getattr(user, "role", "")
    if role == "filler":
        return [t for t in TABS if t[0] in ("dashboard", "tokens")]
    if role == "viewer":  # a reader publishes nothing and exchanges no data through the API
        return [t for t in TABS if t[0] not in ("publications", "tokens")]
    return TABS
