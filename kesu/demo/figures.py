"""The demo's figures: 2020 to the current year of indicator values, activities and narratives for 达州市 and its
three counties, written through the collection services as the offices and units would enter them.

Past years are entered as 补报 (the office reopens each closed period), submitted, approved bottom-up and accepted;
the current year is part-way: some returns 已提交, some 填报中, some 未填报. Everything is drawn from one seeded
random generator, so two builds give the same figures. Magnitudes follow the 2025 targets of the plans (plan.yaml),
with mild growth year on year; 渠县 is the richest: every member unit reports, and so does each township.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from kesu.accounts.models import User
from kesu.collection import services as collection
from kesu.collection.configuration import configuration_held
from kesu.collection.models import ActivityIndicatorRule, SubmissionStatus
from kesu.collection.reporting import window
from kesu.collection.rollup import rollup_deferred
from kesu.collection.services.bulk import ActivityRow, ValueRow, activity_bulk_upsert, value_bulk_upsert
from kesu.core import clock
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period
from kesu.demo.progress import Progress
from kesu.orgs.models import Unit, UnitKind
from kesu.plans.models import Indicator, Task
from kesu.regions.models import Level, Region

FIRST_YEAR = 2020
SEED = 20260101
SOURCE = "演示数据"
# Each office's 报表: one per family of member units (a unit's grid lists only what its family reports), one for
# the office's own base figures; 渠县 adds one for its townships. (code, name, unit kinds; None = every other unit)
FAMILIES = [
    ("KP-CAST", "科协系统科普工作统计表", [UnitKind.CAST]),
    ("KP-EDU", "教育系统科普工作统计表", [UnitKind.EDUCATION, UnitKind.YOUTH_LEAGUE]),
    ("KP-AGRI", "农业科技科普工作统计表", [UnitKind.AGRICULTURE, UnitKind.SCIENCE_TECH, UnitKind.FORESTRY]),
    ("KP-MEDIA", "宣传和媒体科普工作统计表", [UnitKind.PROPAGANDA, UnitKind.MEDIA, UnitKind.CYBERSPACE]),
    ("KP-UNIT", "成员单位科普工作统计表", None),
]
BASE_DATA_SET = ("KP-BASE", "全民科学素质工作基本情况表")
TOWN_DATA_SET = ("KP-TOWN", "乡镇（街道）科普工作年报")
# Typed-in activity figures every unit reports beside the ones computed from its activities.
ACTIVITY_CODES = ["ACT_EVENTS_TOTAL_N", "ACT_EVENTS_TOTAL_P"]
# ... and, where the family registers such activities, these totals of them.
KIND_CODES = {("consulting", None): ["ACT_CONSULT_N", "ACT_CONSULT_P"], ("three_to_countryside", None):
              ["ACT_THREE_RURAL_N"], ("training", "worker"): ["TRN_WORKER_SESSIONS"]}
OFFICE_CODES = ["BASE_TOWNS", "ORG_TOWN_KX", "ORG_MEMBERS_UNITS", "LIT_RATIO"]
BACKFILL_REASON = "系统启用前的年度数据按纸质报表补录"
EXPLANATION = "当年活动安排调整，数据经核实无误。"

# Relative size of each region's figures (渠县 = 1; the prefecture's own units are smaller than a county's).
SCALE = {"511725": 1.0, "511722": 0.9, "511724": 0.8, "511700": 0.45}
# Member units that report outside the focus county (in 渠县 every unit does).
KEY_KINDS = [UnitKind.CAST, UnitKind.EDUCATION, UnitKind.AGRICULTURE, UnitKind.HUMAN_RESOURCES, UnitKind.HEALTH,
             UnitKind.ORGANIZATION, UnitKind.MEDIA, UnitKind.SCIENCE_TECH]

# Typed-in figures by unit kind: code → (2025 value for 渠县, yearly growth). Stocks and flows alike.
UNIT_VALUES = {
    UnitKind.CAST: {
        "HR_FULL": (36, 0.03), "HR_FULL_QUAL": (24, 0.05), "HR_FULL_FEMALE": (15, 0.03), "HR_FULL_CREATOR": (4, 0.0),
        "HR_FULL_GUIDE": (8, 0.05), "HR_PART": (1850, 0.05), "HR_PART_RURAL": (1180, 0.05),
        "HR_PART_WORKLOAD": (2460.5, 0.05), "HR_VOLUNTEER": (5150, 0.12), "HR_VOLUNTEER_TEAMS": (48, 0.1),
        "HR_EXPERTS": (86, 0.06), "SITE_VEHICLE": (2, 0.0), "SITE_BASE": (14, 0.08), "ORG_ENTERPRISE_KX": (12, 0.1),
        "ORG_NJX": (46, 0.05), "DEMO_LEADER": (120, 0.06), "DEMO_BASE_RURAL": (16, 0.08), "DEMO_ENTERPRISE": (5, 0.1),
        "MEDIA_KPZG_USERS": (56000, 0.18), "MEDIA_KPZG_SHARES": (324000, 0.15), "ACT_MAJOR_N": (6, 0.05),
        "ACT_VEHICLE_TRIPS": (42, 0.05),
    },
    UnitKind.EDUCATION: {"SITE_YOUTH_CENTER": (6, 0.05), "SITE_RURAL_SCHOOL_MUSEUM": (5, 0.15),
                         "DEMO_SCHOOL": (12, 0.08), "ACT_YOUTH_GROUPS": (210, 0.06), "TRN_YOUTH_P": (86000, 0.06),
                         "TRN_TEACHER_P": (1120, 0.05)},
    UnitKind.AGRICULTURE: {"TRN_HQFARMER": (1500, 0.06), "ACT_PROMOTED_TECH": (36, 0.05)},
    UnitKind.MEDIA: {"MEDIA_POSTS": (1320, 0.1), "MEDIA_READS": (4200000, 0.14), "MEDIA_TV_HOURS": (262.5, 0.04),
                     "MEDIA_RADIO_HOURS": (180, 0.03), "MEDIA_NEWMEDIA_ACCTS": (6, 0.1)},
    UnitKind.PROPAGANDA: {"MEDIA_BOARDS": (920, 0.05)},
    UnitKind.CIVIL_AFFAIRS: {"SITE_COMMUNITY_ROOM": (32, 0.06)},
    UnitKind.SCIENCE_TECH: {"ACT_OPEN_UNITS": (6, 0.1)},
}
# The 科协's funds (万元): government money, donations and own funds; the balance rules must hold.
FUNDS = {"FUND_GOV": (262, 0.05), "FUND_SPECIAL": (206, 0.06), "FUND_DONATION": (12, 0.04), "FUND_SELF": (31, 0.03),
         "FUND_STRIVED": (82, 0.07)}
# Stocks counted village by village: reported by each township in 渠县, by the county office elsewhere.
TOWN_TOTALS = {"BASE_VILLAGES": (486, 0.0), "BASE_VILLAGES_WITH_BOARD": (452, 0.05), "DEMO_VILLAGE": (36, 0.15),
               "SITE_BOARD": (528, 0.05), "SITE_ESTATION": (132, 0.25), "SITE_RURAL_FIELD": (310, 0.04)}
# The county office's own return: base figures and the 公民科学素质调查 result.
OFFICE_VALUES = {"BASE_POP": (95.62, -0.004), "BASE_RURAL_POP": (52.37, -0.02), "BASE_COMMUNITIES": (48, 0.02),
                 "ORG_MEETINGS": (2, 0.0)}
LIT_RATIO = {  # published survey results by region (%), 2020 → 2025
    "511725": [6.3, 7.4, 8.3, 9.2, 10.4, 11.8], "511722": [6.0, 7.0, 7.9, 8.9, 10.1, 11.3],
    "511724": [6.1, 7.1, 8.0, 9.0, 10.0, 11.2], "511700": [7.2, 8.1, 9.0, 10.1, 11.2, 12.4],
}

# Activities by unit kind: (kind, population, framework item, theme, per year in 渠县, sessions, people per session,
# months). Indicators over activities (培训人次, 科普日活动 …) are computed from these rows.
A = {
    UnitKind.CAST: [
        ("science_day", "public", "P4", "全国科普日主题活动", 20, (1, 2), (150, 400), (9, 9)),
        ("science_week", "public", "P4", "科技活动周主题活动", 6, (1, 2), (150, 300), (5, 5)),
        ("training", "farmer", "A2", "农村实用技术培训", 12, (6, 14), (100, 160), (3, 11)),
        ("caravan", "youth", "P3", "流动科技馆巡展", 2, (6, 10), (300, 600), (4, 11)),
        ("lecture", "elder", "A4", "智慧助老科普讲座", 6, (2, 4), (100, 180), (3, 11)),
        ("three_to_countryside", "farmer", "A2", "文化科技卫生“三下乡”集中示范活动", 3, (1, 1), (600, 1500), (1, 2)),
        ("consulting", "public", "P4", "科技咨询服务", 6, (1, 2), (200, 500), (3, 10)),
        ("exhibition", "public", "P4", "科普知识展览", 4, (1, 1), (500, 1500), (3, 11)),
    ],
    UnitKind.EDUCATION: [
        ("lecture", "youth", "A1", "科学家精神进校园报告会", 14, (1, 3), (200, 500), (3, 12)),
        ("contest", "youth", "A1", "青少年科技创新大赛", 3, (1, 1), (300, 800), (4, 6)),
        ("camp", "youth", "A1", "青少年科技夏令营", 3, (1, 1), (50, 120), (7, 8)),
        ("science_day", "youth", "P4", "全国科普日校园科普活动", 10, (1, 1), (200, 500), (9, 9)),
        ("science_week", "youth", "P4", "科技活动周校园科技节", 4, (1, 1), (300, 600), (5, 5)),
    ],
    UnitKind.AGRICULTURE: [
        ("training", "farmer", "A2", "高素质农民培训班", 18, (10, 20), (110, 170), (2, 11)),
        ("training", "farmer", "A2", "农技专家田间课堂", 16, (8, 14), (120, 180), (3, 10)),
        ("science_day", "farmer", "P4", "全国科普日农业科技咨询活动", 6, (1, 1), (200, 400), (9, 9)),
        ("three_to_countryside", "farmer", "A2", "农业科技“三下乡”活动", 2, (1, 1), (400, 900), (1, 2)),
    ],
    UnitKind.HUMAN_RESOURCES: [
        ("training", "worker", "A3", "职业技能提升培训班", 14, (4, 10), (60, 120), (3, 11)),
        ("contest", "worker", "A3", "职工职业技能竞赛", 1, (1, 1), (150, 300), (5, 10)),
    ],
    UnitKind.TRADE_UNION: [("training", "worker", "A3", "职工技能岗位练兵", 6, (2, 6), (50, 100), (3, 11)),
                           ("lecture", "worker", "A3", "劳模工匠进企业宣讲", 4, (1, 2), (100, 250), (4, 11))],
    UnitKind.HEALTH: [
        ("lecture", "elder", "A4", "老年人健康科普讲座", 14, (2, 5), (110, 220), (2, 12)),
        ("training", "elder", "A4", "智慧助老健康服务培训", 6, (2, 4), (80, 150), (3, 11)),
        ("science_day", "public", "P4", "全国科普日健康科普活动", 6, (1, 1), (200, 400), (9, 9)),
    ],
    UnitKind.ORGANIZATION: [("training", "cadre", "A5", "领导干部科学素质专题培训班", 3, (1, 2), (120, 260), (4, 11))],
    UnitKind.PARTY_SCHOOL: [("lecture", "cadre", "A5", "主体班次科技前沿专题讲座", 4, (1, 2), (80, 150), (3, 11))],
    UnitKind.CIVIL_AFFAIRS: [("lecture", "elder", "A4", "银龄科普进社区活动", 6, (1, 3), (100, 180), (3, 11))],
    UnitKind.MEDIA: [("science_day", "public", "P2", "全国科普日融媒体直播", 2, (1, 1), (3000, 8000), (9, 9))],
    UnitKind.YOUTH_LEAGUE: [("camp", "youth", "A1", "青少年科普研学营", 2, (1, 1), (60, 120), (7, 8))],
    UnitKind.WOMEN: [("lecture", "community", "A2", "巾帼科普大讲堂", 4, (1, 2), (80, 160), (3, 11))],
    UnitKind.EMERGENCY: [("lecture", "public", "P4", "防灾减灾应急科普宣传", 5, (1, 2), (150, 300), (4, 10))],
    UnitKind.SCIENCE_TECH: [("science_week", "public", "P1", "科研机构和企业开放日", 4, (1, 1), (100, 300), (5, 5)),
                            ("consulting", "farmer", "A2", "科技特派员技术服务", 6, (1, 3), (80, 160), (3, 10))],
}
# Every other member unit of the focus county: a 科普日 event and talks on its own field.
GENERIC = [("science_day", "public", "P4", "全国科普日{field}活动", 1, (1, 1), (150, 300), (9, 9)),
           ("lecture", "community", "P4", "{field}进社区", 3, (1, 2), (80, 200), (3, 11))]
FIELDS = {"meteorology": "气象科普", "earthquake": "防震减灾科普", "market_regulation": "食品药品安全科普",
          "ecology": "生态环境保护科普", "natural_resources": "自然资源科普", "forestry": "林业科普",
          "culture_tourism": "文化科技科普", "housing": "建筑安全科普", "disabled": "残疾人康复科普",
          "development": "节能降耗科普", "finance": "金融知识科普", "industry_it": "网络安全科普",
          "cyberspace": "网络素养科普", "propaganda": "科学精神宣传", "aging": "老年健康科普"}


@dataclass
class Reporter:
    region: Region
    unit: Unit | None
    writer: User
    data_set: object
    status: str = "empty"  # the return's state this year: empty | draft | submitted | approved
    values: dict = field(default_factory=dict)  # code -> Decimal
    activities: list = field(default_factory=list)  # ActivityRow data dicts


class _Builder:
    def __init__(self, prefecture: Region, counties: list[Region], focus_code: str, today: date):
        self.rng = random.Random(SEED)
        # Wording draws from its own stream: a phrase added to narratives.yaml changes no figure or status.
        self.text_rng = random.Random(SEED + 1)
        self.today = today
        self.prefecture, self.counties = prefecture, counties
        self.focus = next(c for c in counties if c.code == focus_code)
        self.townships = list(self.focus.children.order_by("code"))
        self.years = list(range(FIRST_YEAR, today.year + 1))
        self.indicators = {i.code: i for i in Indicator.objects.filter(region__isnull=True)}
        self.derived = set(ActivityIndicatorRule.objects.values_list("indicator__code", flat=True))
        users = {u.username: u for u in User.objects.filter(username__in=[
            "admin", "dazhou", "quxian", "quxian_edu", "quxian_agri"])}
        self.admin, self.city_office, self.county_office = users["admin"], users["dazhou"], users["quxian"]
        self.fillers = {u.unit_id: u for u in users.values() if u.unit_id}
        self.tasks = {}  # (region id, item code) -> [tasks]
        for task in Task.objects.filter(plan__region__in=[prefecture, *counties]).select_related(
                "item", "plan").prefetch_related("task_units").order_by("plan_id", "sort", "id"):
            code = task.item.code if task.item else ""
            self.tasks.setdefault((task.plan.region_id, code), []).append(task)
        self.pools: dict[str, list[str]] = {}
        self.narratives = yaml.safe_load(Path(__file__).with_name("narratives.yaml").read_text(encoding="utf-8"))

    # -- who reports ---------------------------------------------------------------------------------------------

    def office_for(self, region: Region) -> User:
        return self.county_office if region.path.startswith(self.focus.path) else self.city_office

    def reporting_units(self, region: Region) -> list[Unit]:
        units = list(Unit.objects.filter(region=region, valid_to__isnull=True).select_related("region")
                     .order_by("sort", "id"))
        if region == self.focus:
            return units
        return [u for u in units if u.kind in KEY_KINDS]

    def data_sets(self) -> tuple[dict, dict, dict, object]:
        """The 报表 as a prefecture office sets them up, and who files what.

        One per family of member units, owned by 达州市 for its own units and the counties' (each unit's grid lists
        only what its family reports; each county files an own return of it, empty, as the approval chain asks);
        each office's own base figures; 渠县's townships. Returns ({unit id: data set}, {region id: data sets its
        reporters fill}, {region id: data sets whose own return the region files}, the townships' data set).
        """
        by_unit, covering, own = {}, {}, {}
        claimed = {kind for _, _, kinds in FAMILIES if kinds for kind in kinds}
        regions = [self.prefecture, *self.counties]
        units = {r.pk: self.reporting_units(r) for r in regions}
        for code, name, kinds in FAMILIES:
            members = [u for r in regions for u in units[r.pk] if (u.kind in kinds if kinds else u.kind not in claimed)]
            ds = collection.data_set_create(actor=self.city_office, region=self.prefecture, code=code,
                                            name=f"{self.prefecture.name}{name}", period_type="Y",
                                            indicators=self.family_indicators(members), units=members,
                                            lowest_level=Level.COUNTY)
            by_unit.update({u.pk: ds for u in members})
            for region in regions:
                covering.setdefault(region.pk, []).append(ds)
                if region != self.prefecture:  # the prefecture's own total would wait for counties not in the demo
                    own.setdefault(region.pk, []).append(ds)
        for region in regions:
            base_codes = [*OFFICE_VALUES, *OFFICE_CODES, *([] if region == self.focus else TOWN_TOTALS)]
            base = collection.data_set_create(
                actor=self.office_for(region), region=region, code=BASE_DATA_SET[0],
                name=f"{region.name}{BASE_DATA_SET[1]}", period_type="Y",
                indicators=[self.indicators[c] for c in base_codes], units_report=False)
            covering[region.pk].append(base)
            own.setdefault(region.pk, []).append(base)
        town = collection.data_set_create(
            actor=self.county_office, region=self.focus, code=TOWN_DATA_SET[0],
            name=f"{self.focus.name}{TOWN_DATA_SET[1]}", period_type="Y",
            indicators=[self.indicators[c] for c in TOWN_TOTALS], units_report=False, lowest_level=Level.TOWNSHIP)
        covering[self.focus.pk].append(town)
        own[self.focus.pk].append(town)
        return by_unit, covering, own, town

    def family_indicators(self, units: list[Unit]) -> list[Indicator]:
        """What these units report: their typed-in figures and the indicators their activities feed."""
        codes = set(ACTIVITY_CODES)
        rules = list(ActivityIndicatorRule.objects.select_related("indicator"))
        for unit in units:
            codes |= set(UNIT_VALUES.get(unit.kind, {}))
            if unit.kind == UnitKind.CAST:
                codes |= {*FUNDS, "FUND_RAISED", "FUND_USED", "FUND_ACTIVITY", "FUND_INFRA", "FUND_EXHIBITS",
                          "SITE_MUSEUM", "SITE_MUSEUM_EXHIB_AREA", "SITE_MUSEUM_VISITS"}
            for kind, population, *_ in self.templates(unit):
                codes |= set(KIND_CODES.get((kind, None), []) + KIND_CODES.get((kind, population), []))
                codes |= {r.indicator.code for r in rules
                          if (not r.kinds or kind in r.kinds) and (not r.populations or population in r.populations)}
        return [self.indicators[c] for c in sorted(codes, key=lambda c: self.indicators[c].sort)]

    def templates(self, unit: Unit) -> list[tuple]:
        if unit.kind in A:
            return A[unit.kind]
        if unit.region_id != self.focus.pk:
            return []
        field_name = FIELDS.get(unit.kind, "行业科普")
        return [(k, p, item, theme.format(field=field_name), n, s, pp, m) for k, p, item, theme, n, s, pp, m in GENERIC]

    # -- numbers -------------------------------------------------------------------------------------------------

    def grow(self, base: float, growth: float, year: int, scale: float = 1.0, noise: float = 0.03) -> float:
        return base * scale * (1 + growth) ** (year - 2025) * (1 + self.rng.uniform(-noise, noise))

    def number(self, code: str, amount: float) -> Decimal:
        ind = self.indicators[code]
        places = Decimal(1) if ind.value_type == "integer" else Decimal("0.01")
        return Decimal(str(max(amount, 0))).quantize(places, rounding=ROUND_HALF_UP)

    def share_of_year(self, year: int) -> float:
        """How much of the year's work is done by today (1 for past years)."""
        if year < self.today.year:
            return 1.0
        return max(0.0, (self.today - date(year, 1, 1)).days / 365)

    # -- one reporter-year -----------------------------------------------------------------------------------------

    def unit_year(self, rep: Reporter, year: int) -> None:
        unit, region = rep.unit, rep.region
        scale = SCALE[region.code]
        for code, (base, growth) in UNIT_VALUES.get(unit.kind, {}).items():
            if code.startswith("SITE_MUSEUM"):
                continue
            rep.values[code] = self.number(code, self.grow(base, growth, year, scale))
        if unit.kind == UnitKind.CAST:
            self.cast_extras(rep, year, scale)
        for template in self.templates(unit):
            rep.activities += self.activities(unit, region, year, template, scale)
        self.activity_totals(rep)

    def cast_extras(self, rep: Reporter, year: int, scale: float) -> None:
        funds = {c: self.number(c, self.grow(b, g, year, scale)) for c, (b, g) in FUNDS.items()}
        funds["FUND_RAISED"] = funds["FUND_GOV"] + funds["FUND_DONATION"] + funds["FUND_SELF"]
        used = self.number("FUND_USED", float(funds["FUND_RAISED"]) * self.rng.uniform(0.92, 0.98))
        funds["FUND_USED"] = used
        funds["FUND_ACTIVITY"] = self.number("FUND_ACTIVITY", float(used) * 0.56)
        funds["FUND_INFRA"] = self.number("FUND_INFRA", float(used) * 0.24)
        funds["FUND_EXHIBITS"] = self.number("FUND_EXHIBITS", float(used) * 0.12)
        rep.values.update(funds)
        if rep.region == self.focus:  # 渠县科技馆 opened in 2023
            built = year >= 2023
            rep.values["SITE_MUSEUM"] = Decimal(1 if built else 0)
            if built:
                rep.values["SITE_MUSEUM_EXHIB_AREA"] = Decimal("1860.00")
                visits = self.grow(62000, 0.12, year) * (0.55 if year == 2023 else 1)  # opened in the summer
                rep.values["SITE_MUSEUM_VISITS"] = self.number("SITE_MUSEUM_VISITS", visits)

    def activities(self, unit: Unit, region: Region, year: int, template, scale: float) -> list[dict]:
        kind, population, item, theme, per_year, sessions, per_session, months = template
        share = self.share_of_year(year)
        count = round(per_year * max(scale, 0.4) * (1.065 ** (year - 2025)) * self.rng.uniform(0.9, 1.1))
        places = self.townships if region == self.focus else list(region.children.order_by("code")) or [region]
        tasks = self.tasks_for(region, unit, item, year)
        rows, used = [], set()
        for n in range(count):
            month = self.rng.randint(*months)
            day = date(year, month, self.rng.randint(1, 28))
            if share < 1 and day >= self.today:
                continue
            place = self.rng.choice(places)
            title = f"{theme}（{place.name}）" if place != region else f"{theme}（第{n + 1}场）"
            while (title, day) in used:
                day += timedelta(days=1)
            used.add((title, day))
            s = self.rng.randint(*sessions)
            participants = s * self.rng.randint(*per_session)
            task = tasks[n % len(tasks)] if tasks else None
            rows.append({
                "kind": kind, "population": population, "title": title, "start_date": day,
                "end_date": day + timedelta(days=self.rng.randint(0, 2) if s > 3 else 0),
                "region": place if place.path.startswith(unit.region.path) else unit.region,
                "task": task, "framework_item": task.item if task else None, "sessions": s,
                "participants": participants, "people": int(participants * self.rng.uniform(0.7, 0.95)),
                "materials": int(participants * self.rng.uniform(0.6, 1.6)),
                "funds": Decimal(s * self.rng.randint(800, 3500)), "place": place.name,
            })
        return rows

    def tasks_for(self, region: Region, unit: Unit, item: str, year: int) -> list:
        """The unit's tasks under ``item`` in the plan covering ``year`` (the 2021—2025 plan, then a 工作要点)."""
        tasks = [t for t in self.tasks.get((region.pk, item), []) if t.plan.start_year <= year <= t.plan.end_year]
        mine = [t for t in tasks if any(tu.unit_id == unit.pk for tu in t.task_units.all())]
        return mine or tasks[:1]

    def activity_totals(self, rep: Reporter) -> None:
        """Typed-in figures that sum what the unit also registered as activities (the same rows, no guessing)."""
        acts = rep.activities
        if not acts:
            return
        sessions = sum(a["sessions"] for a in acts)
        people = sum(a["participants"] for a in acts)
        rep.values["ACT_EVENTS_TOTAL_N"] = Decimal(sessions + len(acts) // 3)
        rep.values["ACT_EVENTS_TOTAL_P"] = Decimal(int(people * 1.12))
        workers = [a for a in acts if a["kind"] == "training" and a["population"] == "worker"]
        if workers:
            rep.values["TRN_WORKER_SESSIONS"] = Decimal(sum(a["sessions"] for a in workers))
        rural = [a for a in acts if a["kind"] == "three_to_countryside"]
        if rural:
            rep.values["ACT_THREE_RURAL_N"] = Decimal(len(rural))
        consult = [a for a in acts if a["kind"] == "consulting"]
        if consult:
            rep.values["ACT_CONSULT_N"] = Decimal(sum(a["sessions"] for a in consult))
            rep.values["ACT_CONSULT_P"] = Decimal(sum(a["participants"] for a in consult))

    def office_year(self, rep: Reporter, year: int, town_series: dict | None) -> None:
        region = rep.region
        scale = SCALE[region.code]
        if region.level == Level.PREFECTURE:
            rep.values["ORG_MEETINGS"] = Decimal(2)
        else:
            for code, (base, growth) in OFFICE_VALUES.items():
                rep.values[code] = self.number(code, self.grow(base, growth, year, scale, noise=0.003))
            rep.values["ORG_MEETINGS"] = Decimal(2)
            towns = region.children.count()
            rep.values["BASE_TOWNS"] = Decimal(towns)
            rep.values["ORG_TOWN_KX"] = Decimal(min(towns, round(towns * min(1.0, 0.7 + 0.06 * (year - 2020)))))
            if town_series is not None:
                for code, series in town_series.items():
                    rep.values[code] = series[year]
        rep.values["ORG_MEMBERS_UNITS"] = Decimal(Unit.objects.filter(region=region, valid_to__isnull=True).count())
        ratios = LIT_RATIO.get(region.code, [])
        if year - FIRST_YEAR < len(ratios):  # the current year's survey is published the year after
            rep.values["LIT_RATIO"] = Decimal(str(ratios[year - FIRST_YEAR]))

    def town_totals(self, scale: float) -> dict[str, dict[int, Decimal]]:
        """County totals per year for the village-by-village stocks, never falling (a stock grows by additions)."""
        out = {}
        for code, (base, growth) in TOWN_TOTALS.items():
            series, last = {}, 0
            for year in self.years:
                value = max(last, round(self.grow(base, growth, year, scale, noise=0.01)))
                series[year] = value
                last = value
            out[code] = series
        villages = out["BASE_VILLAGES"]
        for year in self.years:  # boards stand in villages that exist
            out["BASE_VILLAGES_WITH_BOARD"][year] = min(out["BASE_VILLAGES_WITH_BOARD"][year], villages[year])
        return {code: {y: Decimal(v) for y, v in s.items()} for code, s in out.items()}

    def split_towns(self, totals: dict) -> list[dict[str, dict[int, Decimal]]]:
        """Share each county total over the townships: every addition goes to one township, so each grows too."""
        n = len(self.townships)
        weights = [self.rng.uniform(0.5, 1.5) for _ in range(n)]
        shares = [dict() for _ in range(n)]
        for code, series in totals.items():
            counts, last = [0] * n, 0
            for year in self.years:
                for _ in range(int(series[year]) - last):
                    index = self.rng.choices(range(n), weights)[0]
                    if code == "BASE_VILLAGES_WITH_BOARD":  # only where a village still has none
                        open_ = [i for i in range(n) if counts[i] < shares[i]["BASE_VILLAGES"][year]]
                        index = index if index in open_ else self.rng.choice(open_)
                    counts[index] += 1
                last = int(series[year])
                for i in range(n):
                    shares[i].setdefault(code, {})[year] = Decimal(counts[i])
        return shares

    # -- narratives ----------------------------------------------------------------------------------------------

    def draw(self, key: str, pool: list[str]) -> str:
        """A phrase from ``pool``, none repeated until all were used (per region and year: see write_narratives)."""
        left = self.pools.get(key)
        if not left:
            left = self.pools[key] = self.text_rng.sample(pool, len(pool))
        return left.pop()

    def narrative_texts(self, unit: Unit, task: Task, acts: list[dict], extra: bool) -> dict:
        """One unit's return on one task: of uneven length and care, as real returns are (see narratives.yaml)."""
        item = task.item.code if task.item else ""
        words = self.narratives
        mine = [a for a in acts if a["task"] == task]
        me = _self_word(unit)
        filled = ""
        if mine:
            filled = self.draw("figures", words["figures"]).format(
                events=sum(a["sessions"] for a in mine), people=sum(a["participants"] for a in mine))
        style = self.text_rng.random()
        if style < 0.12:  # a unit that answers in a line
            texts = {"progress": self.draw("terse", words["terse"]).format(self=me, task=_nested(task.title))
                     + filled + "。", "results": ""}
        else:
            method_key = item if item in words["methods"] else "default"
            result_key = item if item in words["results"] else "default"
            progress = (self.draw("opener", words["openers"]).format(self=me, task=_nested(task.title))
                        + self.draw(f"m{method_key}", words["methods"][method_key]))
            if style > 0.7 and item in words["events"]:  # a careful unit names its event of the year
                progress += "，" + self.draw(f"e{item}", words["events"][item])
            texts = {"progress": progress + filled + "。",
                     "results": self.draw(f"r{result_key}", words["results"][result_key]) + "。"}
        if extra:
            texts["problems"] = self.draw("problems", words["problems"]).format(self=me) + "。"
            texts["next_steps"] = self.draw("next", words["next_steps"]).format(self=me) + "。"
        return texts

    def write_narratives(self, region: Region, reporters: list[Reporter], year: int) -> None:
        self.pools = {}
        by_unit = {rep.unit.pk: rep for rep in reporters if rep.unit is not None}
        tasks = [t for (rid, _), ts in self.tasks.items() if rid == region.pk for t in ts
                 if t.plan.start_year <= year <= t.plan.end_year]
        tasks.sort(key=lambda t: (t.sort, t.pk))
        extra_tasks = {t.pk for t in tasks[::6]}  # a handful of problems and next steps, as a real return has
        raised: set[int] = set()  # each unit names its difficulties once
        written: dict[int, list] = {}  # unit id -> its texts, task by task: saved together, one save per unit
        for task in tasks:
            leads = [tu.unit_id for tu in task.task_units.all() if tu.role == "lead"]
            writers = [by_unit[u] for u in leads if u in by_unit and by_unit[u].status != "empty"]
            for index, rep in enumerate(writers):
                # The first lead unit always reports on its task; a co-lead in the focus county does when it
                # registered activities for it (a co-lead with nothing of its own to add leaves it to the first).
                if index and (region != self.focus or not any(a["task"] == task for a in rep.activities)):
                    continue
                extra = task.pk in extra_tasks and rep.unit.pk not in raised
                if extra:
                    raised.add(rep.unit.pk)
                texts = self.narrative_texts(rep.unit, task, rep.activities, extra=extra)
                written.setdefault(rep.unit.pk, []).append(collection.NarrativeText(task=task, texts=texts))
        for unit_id, rows in written.items():
            rep = by_unit[unit_id]
            collection.narrative_bulk_save(actor=rep.writer, region=region, unit=rep.unit, period=str(year),
                                           rows=rows, source=SOURCE)


def _self_word(unit: Unit) -> str:
    name = unit.name
    for suffix, word in (("科学技术协会", "我会"), ("联合会", "我会"), ("总工会", "我会"), ("委员会", "我委"),
                         ("卫生健康委员会", "我委"), ("组织部", "我部"), ("宣传部", "我部"), ("党校", "我校"),
                         ("中心", "我中心"), ("网信办", "我办"), ("局", "我局")):
        if name.endswith(suffix):
            return word
    return "我单位"


def _current_status(rng: random.Random) -> str:
    roll = rng.random()
    return "empty" if roll < 0.25 else ("draft" if roll < 0.6 else "submitted")


def build_figures(*, prefecture: Region, counties: list[Region], focus_code: str, today: date | None = None,
                  progress: Progress | None = None) -> None:
    """Enter the demo's figures for every year from 2020 to ``today``'s year (see the module docstring)."""
    progress = progress or Progress()
    with progress.stage("报表和审核规则"):
        collection.load_rules()
        b = _Builder(prefecture, counties, focus_code, today or clock.today())
        b.by_unit, b.covering, b.by_region, b.town_ds = b.data_sets()
        town_totals = {c.code: b.town_totals(SCALE[c.code]) for c in counties}
        town_shares = b.split_towns(town_totals[b.focus.code])
    # Hundreds of returns written, submitted and approved under one configuration: it is read once, not per return.
    with configuration_held(), rollup_deferred():
        for year in b.years:
            what = "补报、提交、审核" if year < b.today.year else "填报中"
            with progress.stage(f"{year} 年数据（{what}）"):
                _year(b, year, town_totals, town_shares)
        rollup_started = progress.now()  # the deferred roll-up runs as the block ends, once for all years
    progress.finished("各级汇总（自下而上计算一次）", rollup_started)


def _reporters(b: _Builder, region: Region) -> list[Reporter]:
    reps = []
    for unit in b.reporting_units(region):
        writer = b.fillers.get(unit.pk) or b.office_for(region)
        reps.append(Reporter(region, unit, writer, b.by_unit[unit.pk]))
    return reps


def _own_returns(b: _Builder, region: Region, period: str, values_from: Reporter, reviewer: User) -> None:
    """The office's own return of each of its data sets (the base figures in one; the others hold no own figures),
    approved by the level above once the units' and lower regions' returns are."""
    owns = []
    for ds in b.by_region[region.pk]:
        own = values_from if ds.code == BASE_DATA_SET[0] else Reporter(region, None, values_from.writer, ds)
        own.data_set, own.status = ds, "approved"
        owns.append(own)
    _review(owns, period, reviewer=reviewer)


def _year(b: _Builder, year: int, town_totals, town_shares) -> None:
    past = year < b.today.year
    period = str(year)
    on = clock.today()
    for region in [*b.counties, b.prefecture]:
        for ds in b.covering[region.pk]:
            if window(ds, Period.parse(period)).closes >= on:
                continue
            # The window closed long ago: the office reopens it (today only) for the 补报 of the paper returns.
            for where in ([region, *b.townships] if ds == b.town_ds else [region]):
                collection.lock_exception_open(actor=b.office_for(region), data_set=ds, period=period,
                                               region=where, until=on, reason=BACKFILL_REASON)
    base_ds = {r: next(ds for ds in b.by_region[r] if ds.code == BASE_DATA_SET[0]) for r in b.by_region}
    for county in b.counties:
        units = _reporters(b, county)
        for rep in units:
            rep.status = "approved" if past else _current_status(b.rng)
            if rep.status != "empty":
                b.unit_year(rep, year)
        b.write_narratives(county, units, year)
        for rep in units:
            _enter(b, rep, period)
        towns = []
        if county == b.focus:
            for town, share in zip(b.townships, town_shares, strict=True):
                rep = Reporter(town, None, b.county_office, b.town_ds)
                rep.status = "approved" if past else ("empty" if b.rng.random() < 0.5 else "submitted")
                if rep.status != "empty":
                    rep.values = {code: series[year] for code, series in share.items()}
                towns.append(rep)
                _enter(b, rep, period)
        own = Reporter(county, None, b.office_for(county), base_ds[county.pk], status="draft")
        b.office_year(own, year, None if county == b.focus else town_totals[county.code])
        _enter(b, own, period)
        _review([*units, *towns], period, reviewer=b.office_for(county))
        if past:
            _own_returns(b, county, period, own, reviewer=b.city_office)
    city_units = _reporters(b, b.prefecture)
    for rep in city_units:
        rep.status = "approved" if past else _current_status(b.rng)
        if rep.status != "empty":
            b.unit_year(rep, year)
    b.write_narratives(b.prefecture, city_units, year)
    for rep in city_units:
        _enter(b, rep, period)
    _review(city_units, period, reviewer=b.city_office)
    if past:
        own = Reporter(b.prefecture, None, b.city_office, base_ds[b.prefecture.pk], status="draft")
        b.office_year(own, year, None)
        _enter(b, own, period)
        _own_returns(b, b.prefecture, period, own, reviewer=b.admin)


def _enter(b: _Builder, rep: Reporter, period: str) -> None:
    """The reporter's figures and activities, through the import services (checked as an uploaded file is)."""
    if rep.status == "empty":
        return
    if rep.activities:
        rows = [ActivityRow(row=n, data=data, source=SOURCE) for n, data in enumerate(rep.activities, start=2)]
        _ok(activity_bulk_upsert(actor=rep.writer, unit=rep.unit, rows=rows), rep)
    values = [ValueRow(row=n, indicator=b.indicators[code], value=value, explanation=None, source=SOURCE)
              for n, (code, value) in enumerate(sorted(rep.values.items()), start=2) if code not in b.derived]
    if not values:
        return
    result = value_bulk_upsert(actor=rep.writer, region=rep.region, unit=rep.unit, period=period, rows=values,
                               door="demo")
    if result.errors and all(e.field == "explanation" for e in result.errors):
        # A figure that moved a lot against last year: the unit explains it, as the rule asks, and saves again.
        flagged = {e.row for e in result.errors}
        for row in values:
            if row.row in flagged:
                row.explanation = EXPLANATION
        result = value_bulk_upsert(actor=rep.writer, region=rep.region, unit=rep.unit, period=period, rows=values,
                               door="demo")
    _ok(result, rep)


def _ok(result, rep: Reporter) -> None:
    if result.errors:  # the demo's own figures must pass the same checks as anyone's: fail loudly if not
        who = rep.unit.name if rep.unit else rep.region.name
        raise RuntimeError(f"{who}: " + "; ".join(e.message for e in result.errors[:3]))


def _review(reps: list[Reporter], period: str, *, reviewer: User) -> None:
    """Each return submitted by its reporter; then the office approves and accepts the approved years' returns
    together, as it does from its list of returns (the same checks for each as one by one)."""
    to_approve = []
    for rep in reps:
        if rep.status not in ("submitted", "approved"):
            continue
        sub = collection.submission_for(data_set=rep.data_set, period=period, region=rep.region, unit=rep.unit)
        if sub.status == SubmissionStatus.ACCEPTED:
            continue
        try:
            sub = collection.submission_submit(actor=rep.writer, submission=sub)
        except ApplicationError as exc:
            # As a unit does: submit, read which figures the check flags, explain them, submit again. (Checking
            # before every submit would read each return's figures twice; few returns have an outlier.)
            if "flagged" not in exc.extra:
                raise
            _explain_outliers(rep, sub, period)
            sub = collection.submission_submit(actor=rep.writer, submission=sub)
        if rep.status == "approved":
            to_approve.append(sub)
    approved = collection.submission_approve_all(actor=reviewer, submissions=to_approve)
    collection.submission_accept_all(actor=reviewer, submissions=approved)


def _explain_outliers(rep: Reporter, sub, period: str) -> None:
    """A figure far from the unit's earlier years is explained before submitting, as the submit check asks."""
    flagged = [f for f in collection.submission_figures(sub) if f.needs_explanation]
    if not flagged:
        return
    rows = [ValueRow(row=n, indicator=f.indicator, value=f.value, explanation=EXPLANATION, source=SOURCE)
            for n, f in enumerate(flagged, start=2)]
    _ok(value_bulk_upsert(actor=rep.writer, region=rep.region, unit=rep.unit, period=period, rows=rows), rep)


def _nested(title: str) -> str:
    """A title quoted inside “…” takes single quotes for its own quotation marks, as 公文 write them."""
    return title.replace("“", "‘").replace("”", "’")
