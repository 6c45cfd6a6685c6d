"""A reporter's figures read once for the checks of a return: ``read(...)`` → ``Readings``.

Submitting a return runs the validation rules and the outlier flags over the same figures: this period's values and
explanations, last year's and the years before, the activity-summed figures of this year and last. Each check alone
reads them itself (a cell save needs only the rules); a submit reads them together, in three queries, and hands the
result to both (``validation.check(readings=…)``, ``outliers.figures(readings=…)``), which answer as they do alone.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from kesu.core.periods import Period

from .computed import compute_many
from .configuration import remembered
from .models import ActivityIndicatorRule, IndicatorValue


@dataclass
class Readings:
    period: Period
    # This period's stored figures: indicator id → (code, value, explanation).
    stored: dict[int, tuple[str, Decimal | None, str]]
    # Earlier periods' non-empty figures: indicator id → {period id: value} (``years`` of them).
    earlier: dict[int, dict[str, Decimal]]
    # The activity rules of the indicators read, and their sums this period and last year: indicator id → value.
    rules: list[ActivityIndicatorRule]
    computed: dict[int, Decimal]
    computed_last: dict[int, Decimal]

    def by_code(self, codes) -> tuple[dict, dict]:
        """({code: value}, {code: explanation}) for ``codes``, as ``validation.load_figures`` gives them."""
        codes = set(codes)
        values, explanations = {}, {}
        for code, value, explanation in self.stored.values():
            if code in codes:
                values[code], explanations[code] = value, explanation
        for rule in self.rules:
            if rule.indicator.code in codes:
                values[rule.indicator.code] = self.computed[rule.indicator_id]
        return values, explanations

    def previous_year(self, indicator_id: int) -> Decimal | None:
        return self.earlier.get(indicator_id, {}).get(self.period.previous_year().id)


def read(*, indicator_ids, codes, region, unit, period: Period, years: int) -> Readings:
    """The figures of the indicators ``indicator_ids`` and of those coded ``codes`` (what the rules name), for this
    reporter, this period and the ``years`` before it."""
    ids, codes = sorted(set(indicator_ids)), sorted(set(codes))
    periods, p = [], period
    for _ in range(years):
        p = p.previous_year()
        periods.append(p.id)
    which = Q(indicator_id__in=ids) | Q(indicator__code__in=codes)
    rows = (IndicatorValue.objects.filter(which, region=region, unit=unit, period_id__in=[period.id, *periods])
            .order_by().values_list("indicator_id", "indicator__code", "period_id", "value", "explanation"))
    stored, earlier = {}, {}
    for indicator_id, code, period_id, value, explanation in rows:
        if period_id == period.id:
            stored[indicator_id] = (code, value, explanation)
        elif value is not None:
            earlier.setdefault(indicator_id, {})[period_id] = value
    rules = remembered(("activity_rules_read", tuple(ids), tuple(codes)), lambda: list(
        ActivityIndicatorRule.objects.filter(Q(indicator_id__in=ids) | Q(indicator__code__in=codes))
        .select_related("indicator")))
    return Readings(period=period, stored=stored, earlier=earlier, rules=rules,
                    computed=compute_many(rules, region=region, unit=unit, period=period),
                    computed_last=compute_many(rules, region=region, unit=unit, period=period.previous_year()))
