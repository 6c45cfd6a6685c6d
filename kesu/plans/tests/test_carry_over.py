"""Carrying a plan's tasks over into the next plan: the service and the page."""

from datetime import date

import pytest
from django.urls import reverse

from kesu.core.audit import AuditEvent
from kesu.core.exceptions import ApplicationError
from kesu.plans import services
from kesu.plans.models import FrameworkItem, PlanKind, TaskRole
from kesu.plans.selectors import unit_tasks


@pytest.fixture
def plans(regions, units, users, builtin, indicator):
    office, county = users["office"], regions["county"]
    old = services.plan_create(actor=office, region=county, framework=builtin, title="渠县实施方案（2021—2025年）",
                               start_year=2021, end_year=2025)
    item = FrameworkItem.objects.filter(framework=builtin).order_by("sort").first()
    services.task_create(actor=office, plan=old, title="开展科学家精神进校园活动", lead_units=[units["edu"], units["cast"]],
                         responsible_units=[units["youth"]], item=item, number="A1.1", due_period="2025",
                         indicators=[indicator("ACT_LECTURE_N")])
    services.task_create(actor=office, plan=old, title="实施高素质农民培育计划", lead_units=[units["agri"]],
                         responsible_units=[units["women"], units["hr"]], number="A2.1", due_period="2024")
    services.task_create(actor=office, plan=old, title="开展“三下乡”活动", lead_units=[units["cast"]],
                         all_members_responsible=True, number="A2.2")
    new = services.plan_create(actor=office, region=county, framework=builtin, title="渠县2026年工作要点",
                               start_year=2026, end_year=2026, kind=PlanKind.ANNUAL)
    return old, new


def test_carry_over_copies_tasks_with_their_units_and_indicators(plans, users, units):
    old, new = plans
    result = services.plan_tasks_carry_over(actor=users["office"], source=old, target=new)
    assert [t.title for t in result.created] == list(old.tasks.order_by("sort").values_list("title", flat=True))
    first = new.tasks.get(number="A1.1")
    leads = [tu.unit for tu in first.task_units.filter(role=TaskRole.LEAD).order_by("sort")]
    assert leads == [units["edu"], units["cast"]] and first.due_period == "2026"
    assert [i.code for i in first.indicators.all()] == ["ACT_LECTURE_N"]
    assert new.tasks.get(number="A2.2").all_members_responsible
    assert AuditEvent.objects.filter(action="plan.carry_over", object_id=str(new.pk)).count() == 1
    # What the unit's home page offers in 2026 is now the new plan's tasks, and only those.
    assert {t.plan_id for t in unit_tasks(units["edu"].pk, units["edu"].region_id, 2026)} == {new.pk}


def test_carrying_over_twice_adds_nothing_and_abolished_units_are_dropped(plans, users, units, settings):
    old, new = plans
    settings.KESU_TODAY = date(2026, 3, 1)
    units["hr"].valid_to = date(2025, 12, 31)
    units["hr"].save()
    services.plan_tasks_carry_over(actor=users["office"], source=old, target=new)
    farmer = new.tasks.get(number="A2.1")
    assert [tu.unit for tu in farmer.task_units.filter(role=TaskRole.RESPONSIBLE)] == [units["women"]]
    again = services.plan_tasks_carry_over(actor=users["office"], source=old, target=new)
    assert not again.created and len(again.skipped) == 3 and new.tasks.count() == 3


def test_carry_over_is_refused_across_regions_and_for_other_offices(plans, users, regions, builtin):
    old, new = plans
    other = services.plan_create(actor=users["other_office"], region=regions["other"], framework=builtin,
                                 title="宣汉县2026年工作要点", start_year=2026, end_year=2026, kind=PlanKind.ANNUAL)
    with pytest.raises(ApplicationError, match="只能结转本区域的方案"):
        services.plan_tasks_carry_over(actor=users["admin"], source=old, target=other)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.plan_tasks_carry_over(actor=users["other_office"], source=old, target=new)
    assert not new.tasks.exists()


def test_the_page_carries_the_ticked_tasks_in_one_step(plans, users, client):
    old, new = plans
    client.force_login(users["office"])
    url = reverse("plans:plan_carry_over", args=[new.pk])
    page = client.get(url).content.decode()
    assert "渠县实施方案（2021—2025年）" in page and "开展科学家精神进校园活动" in page
    picked = list(old.tasks.filter(number__in=["A1.1", "A2.2"]).values_list("pk", flat=True))
    response = client.post(url, {"source": old.pk, "tasks": picked}, follow=True)
    assert "已从“渠县实施方案（2021—2025年）”结转 2 项任务" in response.content.decode()
    assert sorted(new.tasks.values_list("number", flat=True)) == ["A1.1", "A2.2"]
    again = client.get(url).content.decode()
    assert again.count("本方案已有") == 2
    response = client.post(url, {"source": old.pk}, follow=True)
    assert "请至少勾选一项要结转的任务" in response.content.decode()
    client.force_login(users["viewer"])
    assert client.get(url).status_code == 403


def test_home_page_and_activity_form_offer_the_same_tasks_of_the_year(plans, users, units, client, settings):
    from kesu.collection.forms import ActivityForm

    old, new = plans
    settings.KESU_TODAY = date(2026, 5, 10)
    client.force_login(users["filler"])
    assert "本单位在2026年没有承担的任务" in client.get("/").content.decode()  # the old plan has ended
    assert not ActivityForm(instance=None, unit=units["edu"]).fields["task"].queryset.exists()
    services.plan_tasks_carry_over(actor=users["office"], source=old, target=new)
    home = client.get("/").content.decode()
    offered = set(ActivityForm(instance=None, unit=units["edu"]).fields["task"].queryset)
    assert offered and {t.plan_id for t in offered} == {new.pk}
    assert all(t.title in home for t in offered)
    # An activity of 2025 typed in today is offered the tasks of the plan in force in 2025.
    typed = ActivityForm({"start_date": "2025-11-02"}, instance=None, unit=units["edu"])
    assert {t.plan_id for t in typed.fields["task"].queryset} == {old.pk}
