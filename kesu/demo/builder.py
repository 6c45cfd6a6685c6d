"""Builds the demo: 四川省达州市 with three of its counties, their townships, member units, coordination bodies,
a 2021—2025 实施方案 per region with its tasks and targets, the 工作要点 of each later year carried over from it,
one login per role, and the figures of 2020 to the current year (kesu/demo/figures.py).

The geography is real (the national region list); every person, document number and figure is invented and the
whole installation is labelled 演示数据.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction

from kesu.accounts.models import Role, User
from kesu.accounts.services import user_create
from kesu.core import clock
from kesu.core.demo_flag import demo_loaded, set_demo_loaded
from kesu.demo.figures import build_figures
from kesu.demo.outcomes import build_outcomes
from kesu.demo.progress import Progress
from kesu.orgs import services as org_services
from kesu.orgs.models import BodyKind, PostKind, Unit, UnitKind
from kesu.plans import services as plan_services
from kesu.plans.models import Framework, FrameworkItem, Indicator, PlanKind
from kesu.regions.models import Region

PREFECTURE = "511700"  # 达州市
COUNTIES = ["511725", "511722", "511724"]  # 渠县, 宣汉县, 大竹县
FOCUS_COUNTY = "511725"  # 渠县: the county with the most complete demo data
FRAMEWORK_2021 = "kxsz-2021-2035"
PASSWORD = "kesu-demo-2026"

# Invented people for the coordination bodies (组长 a deputy head of government, 办公室主任 the 科协 chair).
PEOPLE = {
    "511700": ("陈建华", "副市长", "刘晓燕", "市科协主席"),
    "511725": ("张立新", "副县长", "李春梅", "县科协主席"),
    "511722": ("王志强", "副县长", "赵丽娟", "县科协主席"),
    "511724": ("杨国平", "副县长", "周敏", "县科协主席"),
}


@dataclass
class DemoLogin:
    username: str
    role: str
    scope: str


def _plan_spec() -> dict:
    return yaml.safe_load((Path(__file__).with_name("plan.yaml")).read_text(encoding="utf-8"))


def _units_by_kind(region: Region) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for unit in Unit.objects.filter(region=region, valid_to__isnull=True).order_by("sort", "id"):
        units.setdefault(unit.kind, unit)
    return units


def _build_body(region: Region) -> None:
    units = _units_by_kind(region)
    cast = units.get(UnitKind.CAST)
    leader, leader_title, director, director_title = PEOPLE[region.code]
    body = org_services.body_create(
        actor=None, region=region, name=f"{region.name}全民科学素质工作领导小组", kind=BodyKind.LEADING_GROUP,
        office_unit=cast, members=list(Unit.objects.filter(region=region)),
    )
    org_services.body_post_add(actor=None, body=body, post=PostKind.LEADER, person_name=leader,
                               person_title=f"{region.name}人民政府{leader_title}", unit=None)
    if cast is not None:
        org_services.body_post_add(actor=None, body=body, post=PostKind.DEPUTY, person_name=director,
                                   person_title=director_title, unit=cast)
        org_services.body_post_add(actor=None, body=body, post=PostKind.OFFICE_DIRECTOR, person_name=director,
                                   person_title=director_title, unit=cast)
    for index, unit in enumerate(Unit.objects.filter(region=region).exclude(kind=UnitKind.CAST)):
        org_services.body_post_add(actor=None, body=body, post=PostKind.MEMBER, person_name=_person(region, index),
                                   person_title=f"{unit.name}负责人", unit=unit)
        org_services.contact_create(actor=None, unit=unit, name=_person(region, index + 40), title="办公室科员",
                                    phone=f"0818-{7300000 + index * 37 + int(region.code[-2:]) * 1000}", email="",
                                    is_liaison=True)


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = ["建国", "丽", "伟", "芳", "强", "敏", "军", "静", "磊", "洋", "艳", "勇", "杰", "娟", "涛", "明", "超", "霞",
          "平", "刚", "桂英", "志勇", "海燕", "文", "红梅"]


def _person(region: Region, index: int) -> str:
    seed = index + int(region.code) % 97
    return _SURNAMES[seed % len(_SURNAMES)] + _GIVEN[(seed * 7) % len(_GIVEN)]


def _doc_prefix(region: Region) -> str:
    """达州市 → 达市, 渠县 → 渠, 宣汉县 → 宣: how 文号 abbreviate the issuing government."""
    return region.name[0] + ("市" if region.name.endswith("市") else "")


def _build_plan(region: Region, framework: Framework, spec: dict):
    document = plan_services.document_create(
        actor=None, region=region, doc_no=f"{_doc_prefix(region)}府办发〔2021〕{30 + int(region.code) % 40}号",
        title=f"{region.name}人民政府办公室关于印发《{region.name}全民科学素质行动规划纲要实施方案（2021—2025年）》的通知",
        issuer=f"{region.name}人民政府办公室", issued_on=date(2021, 11, 8),
    )
    plan = plan_services.plan_create(
        actor=None, region=region, framework=framework, document=document,
        title=f"{region.name}全民科学素质行动规划纲要实施方案（2021—2025年）", start_year=2021, end_year=2025,
        kind=PlanKind.IMPLEMENTATION,
        summary="到2025年，全民科学素质水平显著提升，公民具备科学素质的比例超过11.5%，科普公共服务体系进一步完善。",
    )
    items = {item.code: item for item in FrameworkItem.objects.filter(framework=framework)}
    units = _units_by_kind(region)
    indicators = {i.code: i for i in Indicator.objects.filter(region__isnull=True)}
    counters: dict[str, int] = {}
    tasks = []
    for entry in spec["tasks"]:
        leads = [units[k] for k in entry["leads"] if k in units][:3]
        if not leads:
            continue
        responsible = [units[k] for k in entry.get("resp", []) if k in units and units[k] not in leads]
        counters[entry["item"]] = counters.get(entry["item"], 0) + 1
        tasks.append(plan_services.task_create(
            actor=None, plan=plan, title=entry["title"], lead_units=leads, responsible_units=responsible,
            all_members_responsible=bool(entry.get("all_members")), item=items.get(entry["item"]),
            number=f"{entry['item']}.{counters[entry['item']]}", due_period=str(entry.get("due", "2025")),
            indicators=[indicators[c] for c in entry.get("indicators", []) if c in indicators],
        ))
    return plan, tasks


def _set_targets(plan, region: Region, spec: dict, scale: Decimal) -> None:
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=spec["targets"].keys())}
    for code, by_year in spec["targets"].items():
        indicator = indicators.get(code)
        if indicator is None:
            continue
        for year, value in by_year.items():
            amount = Decimal(str(value)) if indicator.is_ratio or indicator.unit == "%" else (
                Decimal(str(value)) * scale).quantize(Decimal(1))
            plan_services.target_set(actor=None, plan=plan, indicator=indicator, region=region, year=int(year),
                                     value=amount)


def _annual_plans(region: Region, framework: Framework, plan, spec: dict, scale: Decimal, last_year: int) -> None:
    """The 工作要点 of each year after the 2021—2025 plan up to ``last_year``: its tasks carried over, its targets."""
    source = plan
    for year in range(plan.end_year + 1, last_year + 1):
        document = plan_services.document_create(
            actor=None, region=region, doc_no=f"{_doc_prefix(region)}科素组〔{year}〕1号",
            title=f"关于印发《{region.name}{year}年全民科学素质工作要点》的通知",
            issuer=f"{region.name}全民科学素质工作领导小组", issued_on=date(year, 3, 25))
        annual = plan_services.plan_create(
            actor=None, region=region, framework=framework, document=document, kind=PlanKind.ANNUAL,
            title=f"{region.name}{year}年全民科学素质工作要点", start_year=year, end_year=year,
            summary=f"在{region.name}“十五五”全民科学素质实施方案印发前，{year}年延续上一方案的重点任务，"
                    "巩固提升公民科学素质。")
        plan_services.plan_tasks_carry_over(actor=None, source=source, target=annual)
        _set_targets(annual, region, {"targets": {code: {year: value} for code, value in
                                                  spec.get("annual_targets", {}).get(year, {}).items()}}, scale)
        source = annual


def _township_targets(plan, county: Region) -> None:
    """Split the county's 2025 farmer-training target over its townships so the consistency check has data."""
    indicator = Indicator.objects.get(code="TRN_FARMER_P")
    county_target = plan.targets.get(indicator=indicator, region=county, year=2025).value
    townships = list(county.children.order_by("code"))
    if not townships:
        return
    share = (county_target / len(townships)).quantize(Decimal(1))
    for index, township in enumerate(townships):
        value = share if index < len(townships) - 1 else county_target - share * (len(townships) - 1)
        plan_services.target_set(actor=None, plan=plan, indicator=indicator, region=township, year=2025, value=value)


def _meetings(region: Region, plan) -> None:
    for year in (2022, 2023, 2024):
        plan_services.meeting_create(
            actor=None, region=region, title=f"{region.name}{year}年全民科学素质工作领导小组全体（扩大）会议",
            held_on=date(year, 3, 20 + year % 5),
            attendees="领导小组组长、副组长，各成员单位分管负责同志和联络员",
            decisions=f"总结{year - 1}年全民科学素质工作，审议通过《{region.name}{year}年全民科学素质工作要点》，"
                      "明确各成员单位年度任务分工。",
            tasks=list(plan.tasks.all()[:3]),
        )


def _users(prefecture: Region, counties: list[Region]) -> list[DemoLogin]:
    focus = next(c for c in counties if c.code == FOCUS_COUNTY)
    units = _units_by_kind(focus)
    specs = [
        ("admin", Role.ADMIN, None, None, "系统管理员"),
        ("dazhou", Role.OFFICE, prefecture, None, "达州市科协 办公室"),
        ("quxian", Role.OFFICE, focus, None, "渠县科协 办公室"),
        ("quxian_edu", Role.FILLER, None, units.get(UnitKind.EDUCATION), "渠县教育局 填报员"),
        ("quxian_agri", Role.FILLER, None, units.get(UnitKind.AGRICULTURE), "渠县农业农村局 填报员"),
        ("leader", Role.VIEWER, prefecture, None, "达州市 领导查看"),
    ]
    logins = []
    password_hash = make_password(PASSWORD)  # hashing is slow on purpose: do it once for all demo logins
    for username, role, region, unit, label in specs:
        if role == Role.FILLER and unit is None:
            continue
        if not User.objects.filter(username=username).exists():
            user_create(actor=None, username=username, password=password_hash, password_is_hashed=True, role=role,
                        region=region, unit=unit, full_name=label.split(" ")[0] if role != Role.ADMIN else "系统管理员")
        logins.append(DemoLogin(username, Role(role).label, label))
    return logins


def build_demo(*, figures: bool = True, progress: Progress | None = None) -> list[DemoLogin]:
    """Build the demo once; later calls only return the logins.

    ``figures=False`` leaves out the years of collected figures (kesu/demo/figures.py): the structure alone, for
    tests that enter their own figures. ``progress`` reports each stage as it finishes. The whole build sees one
    date: the returns it reopens for today stay open if the build crosses midnight.
    """
    with clock.held():
        return _build_demo(figures=figures, progress=progress)


def _build_demo(*, figures: bool, progress: Progress | None) -> list[DemoLogin]:
    progress = progress or Progress()
    if demo_loaded():
        prefecture = Region.objects.get(code=PREFECTURE)
        counties = list(Region.objects.filter(code__in=COUNTIES))
        return _users(prefecture, counties)
    with progress.stage("行政区划（达州市及三县的乡镇）"):
        call_command("load_regions", townships=COUNTIES, verbosity=0)
    with progress.stage("纲要框架和指标"):
        call_command("load_frameworks", verbosity=0, stdout=io.StringIO())  # its summary line: the stage says it
    with transaction.atomic():
        prefecture = Region.objects.get(code=PREFECTURE)
        counties = list(Region.objects.filter(code__in=COUNTIES).order_by("code"))
        framework = Framework.objects.get(code=FRAMEWORK_2021, region__isnull=True)
        spec = _plan_spec()
        with progress.stage("成员单位、领导小组和联络员"):
            for region in [prefecture, *counties]:
                org_services.units_create_defaults(actor=None, region=region)
                _build_body(region)
        with progress.stage("实施方案、工作要点、任务、目标和会议"):
            city_plan, _ = _build_plan(prefecture, framework, spec)
            _set_targets(city_plan, prefecture, spec, Decimal(3))  # the three counties and the city's own units
            _meetings(prefecture, city_plan)
            last_year = clock.today().year
            _annual_plans(prefecture, framework, city_plan, spec, Decimal(3), last_year)
            for county in counties:
                plan, _ = _build_plan(county, framework, spec)
                scale = Decimal(1) if county.code == FOCUS_COUNTY else Decimal("0.8")
                _set_targets(plan, county, spec, scale)
                _meetings(county, plan)
                if county.code == FOCUS_COUNTY:
                    _township_targets(plan, county)
                _annual_plans(county, framework, plan, spec, scale, last_year)
        with progress.stage("演示账号"):
            logins = _users(prefecture, counties)
        if figures:
            build_figures(prefecture=prefecture, counties=counties, focus_code=FOCUS_COUNTY, progress=progress)
            with progress.stage("抽样调查结果、上级发布结果和年度考核"):
                build_outcomes(prefecture=prefecture, focus=next(c for c in counties if c.code == FOCUS_COUNTY))
        set_demo_loaded()
    progress.done("演示数据载入完成")
    return logins
