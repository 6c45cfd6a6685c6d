from decimal import Decimal

from django import template

from ..selectors import notices_for_user

register = template.Library()

_BADGES = {"empty": "secondary", "draft": "info", "submitted": "primary", "returned": "danger",
           "approved": "success", "accepted": "dark"}


@register.filter
def status_badge(status: str) -> str:
    return _BADGES.get(str(status), "secondary")


@register.filter
def num(value) -> str:
    """A figure without trailing zeros: 1234.5000 → 1234.5; None → ''."""
    if value is None or value == "":
        return ""
    try:
        value = Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        return value
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.inclusion_tag("collection/partials/notices.html", takes_context=True)
def collection_notices(context):
    """{% collection_notices %} on any page (e.g. the home page) shows the 填报 notices of the signed-in user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"notices": notices_for_user(user) if user and user.is_authenticated else []}


@register.filter
def thousands(value) -> str:
    """A count with thousands separators, 1200 → 1,200 (the zh-hans locale groups by ten thousand, or not at all)."""
    return f"{int(value):,}"
