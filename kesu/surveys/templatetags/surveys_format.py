"""Shares as the survey page shows them: 15.37%, ±0.9个百分点."""

from django import template

register = template.Library()


@register.filter
def pct(share) -> str:
    return "—" if share is None else f"{share * 100:.2f}%"


@register.filter
def margin_points(estimate) -> str:
    margin = estimate.margin
    return "—" if margin is None else f"{margin * 100:.1f}"


@register.filter
def subtract(value, other) -> int:
    return int(value or 0) - int(other or 0)
