from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def num(value):
    """A Decimal as plain text without trailing zeros or exponent: 1000.0000 → 1000, 12.5000 → 12.5.

    No thousands separator: local work reports write plain integers, and zh-hans grouping would give 1,2000.
    """
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return f"{value.normalize():f}"
