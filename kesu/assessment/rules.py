"""考核 scoring rules as plain functions (no Django): what an item earns from the facts gathered for it.

Each rule turns facts into points between 0 and the item's weight. Facts are read by selectors; the rules never
query, so the same facts always give the same points and the rules are tested on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TARGET = "target"  # target completion rate → points
ON_TIME = "on_time"  # share of returns submitted by the due date → points
ACTIVITIES = "activities"  # activities held → points each, capped at the weight
MANUAL = "manual"  # scored by the subject, evidence required, checked by the office
KINDS = {TARGET: "目标完成率", ON_TIME: "按时报送", ACTIVITIES: "开展活动", MANUAL: "自评（需佐证）"}

DEFAULT_GRADES = {"优秀": 90, "良好": 80, "合格": 60}  # 不合格 below the last


@dataclass(frozen=True)
class Facts:
    """What the data says about one subject for one item; None where the data is missing."""

    actual: Decimal | None = None  # TARGET: the figure reported
    target: Decimal | None = None  # TARGET: the plan's target
    returns_due: int = 0  # ON_TIME
    returns_on_time: int = 0
    activities: int = 0  # ACTIVITIES


@dataclass(frozen=True)
class Points:
    points: Decimal | None  # None: the data cannot decide (missing figure or target)
    explanation: str


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def automatic_points(kind: str, weight: Decimal, params: dict, facts: Facts) -> Points:
    weight = Decimal(weight)
    if kind == TARGET:
        if facts.target is None or facts.target <= 0:
            return Points(None, "未设定目标值")
        if facts.actual is None:
            return Points(Decimal(0), "未填报")
        cap = Decimal(str(params.get("cap", 1)))  # over-achievement can earn at most cap × weight
        rate = facts.actual / facts.target
        earned = min(rate, cap) * weight
        return Points(_round(min(earned, weight * cap)), f"完成 {_round(rate * 100)}%（{facts.actual.normalize():f}/{facts.target.normalize():f}）")
    if kind == ON_TIME:
        if facts.returns_due == 0:
            return Points(None, "本年度没有应报数据")
        share = Decimal(facts.returns_on_time) / Decimal(facts.returns_due)
        return Points(_round(share * weight), f"按时报送 {facts.returns_on_time}/{facts.returns_due} 次")
    if kind == ACTIVITIES:
        each = Decimal(str(params.get("per_activity", 1)))
        return Points(_round(min(each * facts.activities, weight)), f"开展活动 {facts.activities} 次")
    raise ValueError(kind)


def grade(total: Decimal | None, thresholds: dict[str, float]) -> str:
    if total is None:
        return ""
    for label, floor in sorted(thresholds.items(), key=lambda kv: -kv[1]):
        if total >= Decimal(str(floor)):
            return label
    return "不合格"


def rank(totals: list[tuple[object, Decimal | None]]) -> dict[object, int]:
    """Competition ranking (1, 2, 2, 4): equal totals share a place; unscored subjects get no rank."""
    scored = sorted(((key, t) for key, t in totals if t is not None), key=lambda kv: -kv[1])
    places, last, place = {}, None, 0
    for index, (key, total) in enumerate(scored, start=1):
        if total != last:
            place, last = index, total
        places[key] = place
    return places
