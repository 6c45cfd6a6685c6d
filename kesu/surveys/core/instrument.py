"""A questionnaire version as data: items with dimension, answer key and points, and the scoring scheme."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

INSTRUMENT_DIR = Path(__file__).resolve().parent.parent / "instruments"

# The two built-in ways of judging 具备科学素质.
POINTS = "points"  # 2024 on: a 100-point total, tiers by total
MILLER = "miller"  # to 2018: literate only when the threshold is met in every dimension


class InstrumentError(ValueError):
    """A questionnaire definition that cannot be scored; the message is Chinese and names the item."""


@dataclass(frozen=True)
class Item:
    key: str  # the item's code, e.g. "K01"
    dimension: str
    answer: str  # the correct option letters, sorted ("B", "AC"); empty for attention-only items
    points: float
    text: str = ""
    options: tuple[str, ...] = ()  # option texts in letter order, so "地球绕太阳转" can be read as "A"
    attention: bool = False  # an attention check: a wrong answer screens the respondent out, it scores nothing


@dataclass(frozen=True)
class Tier:
    label: str
    above: float  # a total strictly greater than this reaches the tier


@dataclass(frozen=True)
class Scheme:
    kind: str
    dimensions: tuple[str, ...]
    tiers: tuple[Tier, ...] = ()  # points: ordered high → low; the last has above = -inf
    literate_above: float = 70.0  # points: total > this is 具备科学素质
    dimension_share: float = 0.6  # miller: share of a dimension's points needed in every dimension


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    scheme: Scheme
    items: tuple[Item, ...] = field(default_factory=tuple)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if not i.attention)

    @property
    def attention_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.attention)

    def dimension_points(self) -> dict[str, float]:
        totals = {d: 0.0 for d in self.scheme.dimensions}
        for item in self.scored_items:
            totals[item.dimension] += item.points
        return totals


def normalise_answer(raw) -> str:
    """'ca', 'A,C', 'A┋C' → 'AC': the form answers are compared in."""
    if raw is None:
        return ""
    text = str(raw).upper()
    return "".join(sorted({ch for ch in text if "A" <= ch <= "Z"}))


def instrument_from_dict(data: dict) -> Instrument:
    scheme_data = data.get("scheme") or {}
    kind = scheme_data.get("kind", POINTS)
    if kind not in (POINTS, MILLER):
        raise InstrumentError(f"评分方案“{kind}”无法识别：应为 points（总分分档）或 miller（三个维度均达标）。")
    dimensions = tuple(scheme_data.get("dimensions") or ())
    tiers = tuple(Tier(label=t["label"], above=float(t["above"])) for t in scheme_data.get("tiers") or ())
    scheme = Scheme(
        kind=kind,
        dimensions=dimensions,
        tiers=tuple(sorted(tiers, key=lambda t: -t.above)),
        literate_above=float(scheme_data.get("literate_above", 70)),
        dimension_share=float(scheme_data.get("dimension_share", 0.6)),
    )
    items = []
    seen = set()
    for number, row in enumerate(data.get("items") or (), start=1):
        key = str(row.get("key") or "").strip()
        where = f"第{number}题（{key or '无编号'}）"
        if not key:
            raise InstrumentError(f"{where}：缺少题目编号。")
        if key in seen:
            raise InstrumentError(f"{where}：题目编号重复。")
        seen.add(key)
        attention = bool(row.get("attention", False))
        dimension = str(row.get("dimension") or "").strip()
        if not attention and dimension not in dimensions:
            raise InstrumentError(f"{where}：维度“{dimension}”不在评分方案的维度中（{'、'.join(dimensions)}）。")
        answer = normalise_answer(row.get("answer"))
        if not answer:
            raise InstrumentError(f"{where}：缺少正确答案。")
        try:
            points = float(row.get("points", 0))
        except (TypeError, ValueError):
            raise InstrumentError(f"{where}：分值“{row.get('points')}”不是数字。") from None
        items.append(Item(key=key, dimension=dimension, answer=answer, points=0.0 if attention else points,
                          text=str(row.get("text") or ""), options=tuple(str(o) for o in row.get("options") or ()),
                          attention=attention))
    instrument = Instrument(code=str(data["code"]), name=str(data["name"]), scheme=scheme, items=tuple(items))
    if not instrument.scored_items:
        raise InstrumentError("问卷没有计分题目。")
    return instrument


def builtin_definitions() -> dict[str, dict]:
    """The questionnaires shipped with kesu as plain data (sample items written for kesu, not a copied bank)."""
    found = {}
    for path in sorted(INSTRUMENT_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[data["code"]] = data
    return found


def builtin_instruments() -> dict[str, Instrument]:
    return {code: instrument_from_dict(data) for code, data in builtin_definitions().items()}
