"""The default member-unit list of a county, city or district (domain.md §3, "typical modern list"), and how real
documents name each unit for a given region.

Naming rule (what a county officer writes on a 公文):

- government departments: region name + department, e.g. 渠县教育局, 达州市教育局, 通川区教育局;
- party organs: 中共 + the committee's short form + organ, e.g. 中共宣汉县委组织部, 中共达州市委组织部,
  中共通川区委组织部. A two-character name repeats its last character (中共渠县县委组织部, 中共津市市委), as such
  places do in their own documents;
- the Youth League committee by its formal name: 共青团渠县委员会 (short name 团县委 / 团市委 / 团区委);
- other mass organisations: region name + organisation, e.g. 渠县总工会, 渠县妇女联合会, 渠县科学技术协会.

``short_name`` keeps the level form everyone says aloud: 县委组织部, 县教育局, 团县委, 县科协 (市/区 forms for
cities and districts).
"""

from __future__ import annotations

from dataclasses import dataclass

from kesu.regions.models import Level

from .models import UnitKind

PARTY, GOV, LEAGUE, MASS = "party", "gov", "league", "mass"


@dataclass(frozen=True)
class DefaultUnit:
    pattern: str  # PARTY / GOV / LEAGUE / MASS
    stem: str  # the department without region: 组织部, 教育局 …
    short: str  # the level form with "X" for 县/市/区: X委组织部, X教育局
    kind: str
    stem_prefecture: str = ""  # a different department name at prefecture level (委员会 instead of 局)


DEFAULT_UNITS: list[DefaultUnit] = [
    DefaultUnit(PARTY, "组织部", "X委组织部", UnitKind.ORGANIZATION),
    DefaultUnit(PARTY, "宣传部", "X委宣传部", UnitKind.PROPAGANDA),
    DefaultUnit(PARTY, "网信办", "X委网信办", UnitKind.CYBERSPACE),
    DefaultUnit(PARTY, "党校", "X委党校", UnitKind.PARTY_SCHOOL),
    DefaultUnit(GOV, "发展和改革局", "X发展改革局", UnitKind.DEVELOPMENT, "发展和改革委员会"),
    DefaultUnit(GOV, "教育局", "X教育局", UnitKind.EDUCATION),
    DefaultUnit(GOV, "科学技术局", "X科技局", UnitKind.SCIENCE_TECH),
    DefaultUnit(GOV, "经济和信息化局", "X经信局", UnitKind.INDUSTRY_IT),
    DefaultUnit(GOV, "民政局", "X民政局", UnitKind.CIVIL_AFFAIRS),
    DefaultUnit(GOV, "财政局", "X财政局", UnitKind.FINANCE),
    DefaultUnit(GOV, "人力资源和社会保障局", "X人社局", UnitKind.HUMAN_RESOURCES),
    DefaultUnit(GOV, "自然资源局", "X自然资源局", UnitKind.NATURAL_RESOURCES),
    DefaultUnit(GOV, "生态环境局", "X生态环境局", UnitKind.ECOLOGY),
    DefaultUnit(GOV, "住房和城乡建设局", "X住建局", UnitKind.HOUSING),
    DefaultUnit(GOV, "农业农村局", "X农业农村局", UnitKind.AGRICULTURE),
    DefaultUnit(GOV, "文化广播电视和旅游局", "X文广旅局", UnitKind.CULTURE_TOURISM),
    DefaultUnit(GOV, "卫生健康局", "X卫生健康局", UnitKind.HEALTH, "卫生健康委员会"),
    DefaultUnit(GOV, "应急管理局", "X应急管理局", UnitKind.EMERGENCY),
    DefaultUnit(GOV, "市场监督管理局", "X市场监管局", UnitKind.MARKET_REGULATION),
    DefaultUnit(GOV, "林业局", "X林业局", UnitKind.FORESTRY),
    DefaultUnit(GOV, "气象局", "X气象局", UnitKind.METEOROLOGY),
    DefaultUnit(GOV, "地震局", "X地震局", UnitKind.EARTHQUAKE),
    DefaultUnit(GOV, "融媒体中心", "X融媒体中心", UnitKind.MEDIA),
    DefaultUnit(MASS, "总工会", "X总工会", UnitKind.TRADE_UNION),
    DefaultUnit(LEAGUE, "委员会", "团X委", UnitKind.YOUTH_LEAGUE),
    DefaultUnit(MASS, "妇女联合会", "X妇联", UnitKind.WOMEN),
    DefaultUnit(MASS, "残疾人联合会", "X残联", UnitKind.DISABLED),
    DefaultUnit(MASS, "科学技术协会", "X科协", UnitKind.CAST),
]

LEVEL_CHARS = "县市区旗州盟"


def level_char(region) -> str:
    """县, 市, 区 … as the region calls itself (渠县 → 县, 万源市 → 市, 通川区 → 区, 凉山彝族自治州 → 州)."""
    if region.name and region.name[-1] in LEVEL_CHARS:
        return region.name[-1]
    if region.name.endswith("地区"):
        return "地区"
    return "市" if region.level == Level.PREFECTURE else "县"


def committee(region) -> str:
    """The party committee's short form: 宣汉县委, 达州市委; 渠县县委 for a two-character name."""
    name = region.name
    if len(name) == 2 and name[-1] in LEVEL_CHARS:
        return f"{name}{name[-1]}委"
    return f"{name}委"


def unit_names(region, unit: DefaultUnit) -> tuple[str, str]:
    """(name, short_name) of a default unit for ``region``."""
    char = level_char(region)
    stem = unit.stem_prefecture if (unit.stem_prefecture and region.level == Level.PREFECTURE) else unit.stem
    short = unit.short.replace("X", char)
    if unit.pattern == PARTY:
        return f"中共{committee(region)}{stem}", short
    if unit.pattern == LEAGUE:
        return f"共青团{region.name}委员会", short
    return f"{region.name}{stem}", short


def supports_defaults(region) -> bool:
    return region.level in (Level.PREFECTURE, Level.COUNTY)
