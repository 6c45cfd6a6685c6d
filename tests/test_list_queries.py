"""Every list page and API list endpoint pins its query count: with six rows of everything it lists it makes no
more queries than with one (no N+1), and it stays under a fixed ceiling.

The world is the one the URL walk uses (a province, a prefecture, counties X and Y, units, a plan, report files).
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kesu.accounts.models import Role, User
from kesu.accounts.services import token_create
from kesu.assessment.models import Scheme
from kesu.collection.models import Activity, DataSet, IndicatorValue, Narrative, Submission, ValidationRule
from kesu.core import configuration, pagememo
from kesu.core.templatetags import kesu_worker
from kesu.extraction.models import SourceDocument
from kesu.orgs.models import ContactPerson, Unit, UnitKind
from kesu.plans.models import Framework, Indicator, Meeting, Plan, PolicyDocument, Target, Task, TaskRole, TaskUnit
from kesu.regions.models import Level, Region
from kesu.reports.models import ReportVersion
from kesu.surveys.models import PublishedFigure, Questionnaire, SurveyRound

CEILING = 40  # no list page or endpoint needs more, whatever it lists

# URL name → how to build its URL from the world's objects (None: no argument).
PAGES = {
    "home": None,
    "accounts:user_list": None,
    "accounts:user_api": lambda o: reverse("accounts:user_api", args=[User.objects.get(username="filler_a").pk]),
    "regions:region_list": None,
    "regions:region_children": lambda o: reverse("regions:region_children", kwargs={"pk": o["county_x"].pk}),
    "orgs:unit_list": None,
    "plans:plan_list": None,
    "plans:plan_detail": lambda o: reverse("plans:plan_detail", kwargs={"pk": o["plan_x"].pk}),
    "plans:target_list": lambda o: reverse("plans:target_list", kwargs={"pk": o["plan_x"].pk}),
    "plans:plan_carry_over": lambda o: reverse("plans:plan_carry_over", kwargs={"pk": o["plan_x"].pk}),
    "plans:document_list": None,
    "plans:meeting_list": None,
    "plans:indicator_list": None,
    "plans:framework_list": None,
    "collection:activity_list": lambda o: reverse("collection:activity_list") + "?year=2024",
    "collection:review": None,
    "collection:completeness": None,
    "collection:rules": None,
    "extraction:index": None,
    "reports:index": None,
    "surveys:index": None,
    "assessment:index": None,
    "analytics:dashboard": None,
    "analytics:progress": lambda o: reverse("analytics:progress") + "?year=2025",
    "analytics:pivot": lambda o: reverse("analytics:pivot") + "?periods=2024",
}
API = ["/api/regions", "/api/units", "/api/indicators", "/api/plans", "/api/values", "/api/activities",
       "/api/submissions", "/api/narratives?region=511725&period=2024", "/api/dataValueSets?period=2024",
       "plan:tasks", "plan:targets"]
ROLES = ["office_x", "admin"]


def _url(name, objects):
    if name in PAGES:
        build = PAGES[name]
        return build(objects) if build else reverse(name)
    if name.startswith("plan:"):
        return f"/api/plans/{objects['plan_x'].pk}/{name.split(':')[1]}"
    return name


def grow(objects, start: int, count: int) -> None:
    """``count`` more of every kind of row the pages list, all in county X (numbered from ``start``)."""
    county, plan, unit_a = objects["county_x"], objects["plan_x"], objects["unit_a"]
    data_set, _ = DataSet.objects.get_or_create(region=county, code="NPLUS1", defaults={
        "name": "年度统计", "period_type": "Y", "lowest_level": Level.TOWNSHIP})
    for k in range(start, start + count):
        town = Region.objects.create(code=f"511725{200 + k}", name=f"乡镇{k}", level=Level.TOWNSHIP, parent=county,
                                     path=f"{county.path}511725{200 + k}/", depth=county.depth + 1)
        unit = Unit.objects.create(region=county, name=f"渠县单位{k}", kind=UnitKind.OTHER)
        ContactPerson.objects.create(unit=unit, name=f"联络员{k}", is_liaison=True)
        User.objects.create_user(username=f"grow_filler_{k}", password="grow-pass-123", role=Role.FILLER, unit=unit,
                                 region=county)
        other = Plan.objects.create(region=county, framework=plan.framework, title=f"专项方案{k}", start_year=2021,
                                    end_year=2025)
        for p in (plan, other):
            task = Task.objects.create(plan=p, title=f"任务{k}", number=f"B{k}")
            TaskUnit.objects.create(task=task, unit=unit, role=TaskRole.LEAD)
            TaskUnit.objects.create(task=task, unit=unit_a, role=TaskRole.RESPONSIBLE)
        indicator = Indicator.objects.create(code=f"NPLUS_{k}", name=f"地方指标{k}", unit="个", region=county)
        data_set.indicators.add(indicator)
        Target.objects.create(plan=plan, indicator=indicator, region=county, year=2025, value=k)
        doc = PolicyDocument.objects.create(region=county, title=f"文件{k}", issuer="渠县人民政府",
                                            issued_on=date(2024, 1, 1 + k))
        doc.tasks.add(task)
        meeting = Meeting.objects.create(region=county, title=f"会议{k}", held_on=date(2024, 2, 1 + k))
        meeting.tasks.add(task)
        Activity.objects.create(unit=unit, region=town, kind="training", title=f"培训{k}",
                                start_date=date(2024, 3, 1 + k), end_date=date(2024, 3, 1 + k))
        for reporter_region, reporter_unit in ((county, unit), (town, None)):
            Submission.objects.create(data_set=data_set, period_id="2024", period_start=date(2024, 1, 1),
                                      period_end=date(2024, 12, 31), region=reporter_region, unit=reporter_unit,
                                      status="submitted")
        for reporter_region, reporter_unit in ((county, unit), (county, None), (town, None)):
            IndicatorValue.objects.create(indicator=indicator, region=reporter_region, unit=reporter_unit,
                                          period_id="2024", value=k)
        Narrative.objects.create(task=task, region=county, unit=unit, period_id="2024", progress=f"进展{k}")
        Narrative.objects.create(task=task, region=county, unit=None, period_id="2024", progress=f"进展{k}")
        Framework.objects.create(code=f"local-{k}", name=f"地方纲要{k}", start_year=2021, end_year=2035, region=county,
                                 based_on=plan.framework)
        ReportVersion.objects.create(region=county, period_id="2024", kind="statistics", number=k,
                                     title=f"渠县2024年统计报表（第{k}版）", docx=f"reports/{k}.docx", data_state="audit:0")
        ValidationRule.objects.create(code=f"R{k}", name=f"规则{k}", expression=f"NPLUS_{k} >= 0", region=county,
                                      codes=[f"NPLUS_{k}"])
        SourceDocument.objects.create(region=county, original_name=f"报告{k}.docx", kind="docx",
                                      file=f"extraction/{k}.docx", sha256=f"{k:064d}")
        questionnaire = Questionnaire.objects.create(region=county, name=f"问卷{k}", definition={})
        SurveyRound.objects.create(region=county, questionnaire=questionnaire, year=2020 + k, title=f"抽样调查{k}")
        token_create(actor=User.objects.get(username="filler_a"), name=f"令牌{k}")
        PublishedFigure.objects.create(office=county, area=county if k % 2 else None, indicator=indicator,
                                       year=2000 + k, value=k, publisher="上级科协", published_on=date(2024, 5, 1))
        Scheme.objects.create(region=county, year=2020 + k, name=f"考核细则{k}", subject="unit")


def _forget_memos() -> None:
    # The page's own queries are pinned here, not a visit answered from the memo; the stalled-queue banner asks
    # the queue on each page too, whether or not it asked within its last few seconds.
    pagememo.forget()
    kesu_worker.forget()
    configuration.forget()  # the configuration kept per version: read, not answered from the process


def _count(client, url) -> int:
    _forget_memos()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ROLES)
def test_lists_make_no_more_queries_with_more_rows(world, client, role, django_assert_max_num_queries):
    objects = world["objects"]
    client.force_login(world["users"][role])
    grow(objects, 1, 1)
    urls = [_url(name, objects) for name in [*PAGES, *API]]
    client.get(urls[0])  # first request of the session: fills per-process caches
    baseline = {url: _count(client, url) for url in urls}
    grow(objects, 2, 5)
    for url in urls:
        _forget_memos()
        with django_assert_max_num_queries(min(baseline[url], CEILING)):
            response = client.get(url)
        assert response.status_code == 200, url


def test_grown_rows_are_listed(world, client):
    """The growth is visible on the pages, so the comparison above is between one row and six."""
    objects = world["objects"]
    client.force_login(world["users"]["office_x"])
    grow(objects, 1, 6)
    assert client.get(reverse("orgs:unit_list")).content.decode().count("渠县单位") >= 6
    assert len(client.get("/api/submissions").json()) >= 12
    assert len(client.get(f"/api/plans/{objects['plan_x'].pk}/tasks").json()) >= 7
    assert len(client.get("/api/activities").json()) >= 6
