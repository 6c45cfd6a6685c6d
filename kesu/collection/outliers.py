"""Statistical outlier flags on a reporter's figures, as DHIS2's outlier detection does, built in for every
numeric indicator (no rule to write):

- 同比突变 (year-on-year jump): the figure is at least ``JUMP_RATIO`` times last year's, or at most its
  1/``JUMP_RATIO``, and differs by at least ``JUMP_MIN_DIFF`` (so 2 → 7 is not flagged).
- 历史离群 (outlier against the reporter's own history): with at least ``MIN_HISTORY`` earlier years, the figure
  lies outside the history's min-max range widened by ``RANGE_FACTOR`` (above twice the highest
  year or below half the lowest) and at least
  ``JUMP_MIN_DIFF`` beyond it (so 4, 5, 4 → 8 is not flagged), AND its modified
  z-score (median and median absolute deviation, robust to one odd year) is above ``MODIFIED_Z``; when the history
  is too flat for a MAD, the classic z-score (mean and standard deviation) above ``Z_SCORE``. The range keeps steady
  growth of a short yearly series from being flagged (three close years give a tiny MAD); the score keeps a wide
  range from hiding an odd figure.

These are the built-in defaults (``DEFAULT``). An indicator may carry its own thresholds, or have detection switched
off, in an ``OutlierRule``; a threshold it leaves empty keeps the default (``thresholds_for``).

A flag is not a refusal: the figure may be right. It needs a 情况说明 before the return is submitted (explain or
fix), and the reviewer sees it beside the figure.
"""

import statistics
from dataclasses import dataclass, field, replace
from decimal import Decimal

from kesu.core.periods import Period

from .computed import compute_many
from .configuration import remembered
from .models import ActivityIndicatorRule, IndicatorValue, OutlierRule

JUMP_RATIO = Decimal(3)
JUMP_MIN_DIFF = Decimal(10)
MIN_HISTORY = 3
HISTORY_YEARS = 10
MODIFIED_Z = 3.5
RANGE_FACTOR = 2.0
Z_SCORE = 3.0


@dataclass(frozen=True)
class Thresholds:
    """The outlier thresholds of one indicator."""

    enabled: bool = True
    jump_ratio: Decimal = JUMP_RATIO
    min_diff: Decimal = JUMP_MIN_DIFF
    modified_z: float = MODIFIED_Z
    z_score: float = Z_SCORE
    range_factor: float = RANGE_FACTOR


DEFAULT = Thresholds()
TUNABLE = ("jump_ratio", "min_diff", "modified_z", "z_score", "range_factor")


def thresholds_of(rule: OutlierRule | None) -> Thresholds:
    """The thresholds an indicator's rule sets, each empty one the default's."""
    if rule is None:
        return DEFAULT
    changes = {"enabled": rule.enabled}
    for name in TUNABLE:
        value = getattr(rule, name)
        if value is not None:
            changes[name] = type(getattr(DEFAULT, name))(value)
    return replace(DEFAULT, **changes)


def thresholds_for(indicator_ids) -> dict[int, Thresholds]:
    """{indicator id: thresholds} for the indicators that have a rule (one query); others take ``DEFAULT``."""
    ids = list(indicator_ids)
    return dict(remembered(("outlier_thresholds", frozenset(ids)), lambda: {
        r.indicator_id: thresholds_of(r) for r in OutlierRule.objects.filter(indicator_id__in=ids)}))


@dataclass
class Flag:
    kind: str  # "jump" | "history"
    label: str
    message: str


def _fmt(value) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0").rstrip(".")


def jump(current: Decimal, previous: Decimal | None, t: Thresholds = DEFAULT) -> Flag | None:
    if previous is None or previous <= 0 or current < 0 or abs(current - previous) < t.min_diff:
        return None
    ratio = current / previous
    if ratio >= t.jump_ratio:
        return Flag("jump", "同比突变", f"是上年（{_fmt(previous)}）的 {ratio:.1f} 倍")
    if ratio <= 1 / t.jump_ratio:
        return Flag("jump", "同比突变", f"仅为上年（{_fmt(previous)}）的 {ratio * 100:.0f}%")
    return None


def history_outlier(current: Decimal, history: list[Decimal], t: Thresholds = DEFAULT) -> Flag | None:
    """``history``: the reporter's figures of earlier years (the current one excluded)."""
    if len(history) < MIN_HISTORY:
        return None
    values = [float(v) for v in history]
    x = float(current)
    low, high = min(values), max(values)
    floor = low / t.range_factor if low >= 0 else low * t.range_factor
    ceiling = high * t.range_factor if high >= 0 else high / t.range_factor
    if floor <= x <= ceiling or min(abs(x - low), abs(x - high)) < float(t.min_diff):
        return None
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    span = f"{len(values)} 年历史数据 {_fmt(min(history))}–{_fmt(max(history))}"
    if mad > 0:
        score = 0.6745 * (x - median) / mad
        if abs(score) > t.modified_z:
            return Flag("history", "历史离群", f"远离本单位{span}（修正 Z 值 {score:.1f}）")
        return None
    sd = statistics.pstdev(values)
    if sd > 0:
        score = (x - statistics.fmean(values)) / sd
        if abs(score) > t.z_score:
            return Flag("history", "历史离群", f"远离本单位{span}（Z 值 {score:.1f}）")
    return None


def history(indicator_ids, *, region, unit, period: Period) -> dict[int, dict[str, Decimal]]:
    """{indicator id: {period id: value}} of the reporter's earlier years (up to HISTORY_YEARS), one query."""
    ids, p = [], period
    for _ in range(HISTORY_YEARS):
        p = p.previous_year()
        ids.append(p.id)
    out: dict[int, dict[str, Decimal]] = {}
    rows = (IndicatorValue.objects.filter(indicator_id__in=list(indicator_ids), region=region, unit=unit,
                                          period_id__in=ids, value__isnull=False)
            .values_list("indicator_id", "period_id", "value"))
    for indicator_id, period_id, value in rows:
        out.setdefault(indicator_id, {})[period_id] = value
    return out


def flags_for(current: Decimal | None, earlier: dict[str, Decimal], period: Period,
              t: Thresholds = DEFAULT) -> list[Flag]:
    """The flags of one figure, given its earlier years ({period id: value}) and its indicator's thresholds."""
    if current is None or not t.enabled:
        return []
    found = [jump(Decimal(current), earlier.get(period.previous_year().id), t),
             history_outlier(Decimal(current), list(earlier.values()), t)]
    return [f for f in found if f is not None]


@dataclass
class Figure:
    """One indicator of a return: this period's figure, last year's, the flags and the explanation."""

    indicator: object
    value: Decimal | None
    last_year: Decimal | None
    explanation: str
    is_computed: bool
    flags: list[Flag]
    violations: list = field(default_factory=list)  # rule violations naming this indicator, set by the reader

    @property
    def change_pct(self) -> Decimal | None:
        if self.value is None or not self.last_year:
            return None
        return (Decimal(self.value) - self.last_year) / abs(self.last_year) * 100

    @property
    def explained(self) -> bool:
        return bool(self.explanation.strip())

    @property
    def needs_explanation(self) -> bool:
        return bool(self.flags) and not self.explained and not self.is_computed


def figures(indicators, *, region, unit, period: Period, readings=None) -> list[Figure]:
    """Every indicator of a return with its figures and outlier flags (three queries plus activity roll-ups).

    ``readings`` = the reporter's figures already read (``kesu.collection.readings``, covering ``indicators`` and
    ``HISTORY_YEARS``), instead of reading them again."""
    indicators = list(indicators)
    ids = [i.pk for i in indicators]
    if readings is None:
        stored = {r.indicator_id: (r.value, r.explanation) for r in IndicatorValue.objects.filter(
            indicator_id__in=ids, region=region, unit=unit, period_id=period.id)}
        rules = remembered(("activity_rules_by_id", frozenset(ids)),
                           lambda: list(ActivityIndicatorRule.objects.filter(indicator_id__in=ids)))
        computed = compute_many(rules, region=region, unit=unit, period=period)
        computed_last = compute_many(rules, region=region, unit=unit, period=period.previous_year())
        earlier = history(ids, region=region, unit=unit, period=period)
    else:
        stored = {i: (value, explanation) for i, (_, value, explanation) in readings.stored.items()}
        computed, computed_last, earlier = readings.computed, readings.computed_last, readings.earlier
    tuned = thresholds_for(ids)
    last_id = period.previous_year().id
    out = []
    for ind in indicators:
        value, explanation = stored.get(ind.pk, (None, ""))
        is_computed = ind.pk in computed
        value = computed[ind.pk] if is_computed else value
        past = earlier.get(ind.pk, {})
        last_year = computed_last.get(ind.pk) if is_computed else past.get(last_id)
        out.append(Figure(indicator=ind, value=value, last_year=last_year,
                          explanation=explanation or "", is_computed=is_computed,
                          flags=[] if is_computed else flags_for(value, past, period,
                                                                                 tuned.get(ind.pk, DEFAULT))))
    return out
