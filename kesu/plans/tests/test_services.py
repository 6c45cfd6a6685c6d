"""Services: localisation, plans, tasks with 牵头/责任单位, targets, local indicators, documents and meetings."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.plans import services
from kesu.plans.models import Framework, FrameworkItem, PlanKind, Target, TaskRole
from kesu.plans.selectors import target_consistency

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(builtin, regions, users):
    return services.plan_create(actor=users["office"], region=regions["county"], framework=builtin,
                                title="渠县全民科学素质行动规划纲要实施方案（2021—2025年）", start_year=2021, end_year=2025)


@pytest.fixture
def farmer_task(plan, units, users, indicator):
    return services.task_create(
        actor=users["office"], plan=plan, title="实施高素质农民培育计划", number="1",
        lead_units=[units["agri"], units["cast"]], responsible_units=[units["hr"], units["women"]],
        item=plan.framework.items.get(code="A2.2"), due_period="2025", indicators=[indicator("TRN_FARMER_P")])


# -- localisation --------------------------------------------------------------------------------------------------

def test_localisation_copies_items_and_leaves_the_builtin_untouched(builtin, regions, users):
    before = list(builtin.items.values_list("code", "name", "parent__code"))
    copy = services.framework_localise(actor=users["office"], framework=builtin, region=regions["county"])
    assert copy.region == regions["county"] and copy.based_on == builtin
    assert sorted(copy.items.values_list("code", "name", "parent__code")) == sorted(before)
    assert copy.items.get(code="A1.1").parent.framework == copy

    p5 = copy.items.get(code="P5")
    services.framework_item_update(actor=users["office"], item=p5, name="科普人才建设工程")
    services.framework_item_delete(actor=users["office"], item=copy.items.get(code="A5.3"))
    services.framework_item_create(actor=users["office"], framework=copy, code="P6", name="本地特色工程",
                                   kind="project")
    assert list(builtin.items.values_list("code", "name", "parent__code")) == before
    assert builtin.items.get(code="P5").name == "科学素质国际交流合作工程"
    assert copy.items.get(code="P5").name == "科普人才建设工程"
    assert not copy.items.filter(code="A5.3").exists() and copy.items.filter(code="P6").exists()
    assert AuditEvent.objects.filter(action="framework.localise").exists()


def test_builtin_framework_cannot_be_edited(builtin, users):
    with pytest.raises(ApplicationError) as exc:
        services.framework_item_update(actor=users["office"], item=builtin.items.get(code="A1"), name="改名")
    assert "内置纲要" in exc.value.message and "本地化" in exc.value.message
    with pytest.raises(ApplicationError):
        services.framework_item_create(actor=users["office"], framework=builtin, code="X", name="新增")
    with pytest.raises(ApplicationError):
        services.framework_item_delete(actor=users["office"], item=builtin.items.get(code="A1"))
    assert builtin.items.get(code="A1").name == "青少年科学素质提升行动"


def test_localising_twice_for_the_same_region_is_refused(builtin, regions, users):
    services.framework_localise(actor=users["office"], framework=builtin, region=regions["county"])
    with pytest.raises(ApplicationError) as exc:
        services.framework_localise(actor=users["office"], framework=builtin, region=regions["county"])
    assert "渠县" in exc.value.message
    assert Framework.objects.filter(region=regions["county"]).count() == 1


def test_localising_for_a_region_outside_the_scope_is_denied(builtin, regions, users):
    with pytest.raises(PermissionDenied):
        services.framework_localise(actor=users["office"], framework=builtin, region=regions["other"])


def test_local_item_with_tasks_cannot_be_deleted(builtin, regions, users, units):
    copy = services.framework_localise(actor=users["office"], framework=builtin, region=regions["county"])
    plan = services.plan_create(actor=users["office"], region=regions["county"], framework=copy, title="方案",
                                start_year=2021, end_year=2025)
    services.task_create(actor=users["office"], plan=plan, title="任务", lead_units=[units["cast"]],
                         item=copy.items.get(code="A1.2"))
    with pytest.raises(ApplicationError) as exc:
        services.framework_item_delete(actor=users["office"], item=copy.items.get(code="A1"))
    assert "1项任务" in exc.value.message
    assert FrameworkItem.objects.filter(framework=copy, code="A1").exists()


# -- plans ---------------------------------------------------------------------------------------------------------

def test_annual_plan_hangs_under_its_implementation_plan(plan, regions, users, builtin):
    annual = services.plan_create(actor=users["office"], region=regions["county"], framework=builtin,
                                  title="渠县2023年全民科学素质工作要点", start_year=2023, end_year=2023,
                                  kind=PlanKind.ANNUAL, parent=plan)
    assert annual.parent == plan and list(plan.annual_plans.all()) == [annual]
    with pytest.raises(ApplicationError) as exc:
        services.plan_create(actor=users["office"], region=regions["county"], framework=builtin, title="要点",
                             start_year=2023, end_year=2024, kind=PlanKind.ANNUAL, parent=plan)
    assert exc.value.field == "end_year"
    with pytest.raises(ApplicationError) as exc:
        services.plan_create(actor=users["office"], region=regions["county"], framework=builtin, title="要点",
                             start_year=2027, end_year=2027, kind=PlanKind.ANNUAL, parent=plan)
    assert "所属实施方案" in exc.value.message


def test_plan_years_outside_the_framework_are_refused(builtin, regions, users):
    with pytest.raises(ApplicationError) as exc:
        services.plan_create(actor=users["office"], region=regions["county"], framework=builtin, title="方案",
                             start_year=2019, end_year=2023)
    assert "超出纲要" in exc.value.message


def test_viewer_cannot_create_a_plan(builtin, regions, users):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=users["viewer"], region=regions["county"], framework=builtin, title="方案",
                             start_year=2021, end_year=2025)


# -- tasks ---------------------------------------------------------------------------------------------------------

def test_task_records_units_by_role_and_an_audit_event(farmer_task, units):
    roles = {(tu.unit.name, tu.role) for tu in farmer_task.task_units.select_related("unit")}
    assert roles == {("渠县农业农村局", TaskRole.LEAD), ("渠县科协", TaskRole.LEAD),
                     ("渠县人社局", TaskRole.RESPONSIBLE), ("渠县妇联", TaskRole.RESPONSIBLE)}
    event = AuditEvent.objects.get(action="task.create")
    assert event.changes["lead_units"][1] == ["渠县农业农村局", "渠县科协"]


def test_task_without_lead_unit_is_refused_naming_task_and_field(plan, units, users):
    with pytest.raises(ApplicationError) as exc:
        services.task_create(actor=users["office"], plan=plan, title="开展智慧助老行动", lead_units=[],
                             responsible_units=[units["women"]])
    assert "开展智慧助老行动" in exc.value.message and "牵头单位" in exc.value.message
    assert exc.value.field == "lead_units"
    assert not plan.tasks.exists()


def test_more_than_three_lead_units_are_refused(plan, units, users):
    with pytest.raises(ApplicationError) as exc:
        services.task_create(actor=users["office"], plan=plan, title="全国科普日主场活动",
                             lead_units=[units["cast"], units["edu"], units["agri"], units["women"]])
    assert "最多 3 个" in exc.value.message and exc.value.field == "lead_units"
    assert not plan.tasks.exists()


def test_unit_of_another_region_is_refused(plan, units, users):
    with pytest.raises(ApplicationError) as exc:
        services.task_create(actor=users["office"], plan=plan, title="任务", lead_units=[units["cast"]],
                             responsible_units=[units["other_edu"]])
    assert "宣汉县教育局" in exc.value.message and exc.value.field == "responsible_units"


def test_lead_unit_repeated_as_responsible_is_refused(plan, units, users):
    with pytest.raises(ApplicationError) as exc:
        services.task_create(actor=users["office"], plan=plan, title="任务", lead_units=[units["cast"]],
                             responsible_units=[units["cast"]])
    assert "已是牵头单位" in exc.value.message


@pytest.mark.parametrize("due, fragment", [("2030", "不在方案期限"), ("2025Q5", "格式不正确"), ("下半年", "格式不正确")])
def test_bad_due_period_is_refused(plan, units, users, due, fragment):
    with pytest.raises(ApplicationError) as exc:
        services.task_create(actor=users["office"], plan=plan, title="任务", lead_units=[units["cast"]],
                             due_period=due)
    assert fragment in exc.value.message and exc.value.field == "due_period"


def test_due_period_is_normalised(plan, units, users):
    task = services.task_create(actor=users["office"], plan=plan, title="任务", lead_units=[units["cast"]],
                                due_period="2024s1")
    assert task.due_period == "2024S1"


def test_item_of_another_framework_is_refused(plan, units, users):
    other = Framework.objects.get(code="kxsz-2006-2020")
    with pytest.raises(ApplicationError) as exc:
        services.task_create(actor=users["office"], plan=plan, title="任务", lead_units=[units["cast"]],
                             item=other.items.get(code="M1"))
    assert exc.value.field == "item"


def test_task_update_replaces_units_and_keeps_validation(farmer_task, units, users):
    services.task_update(actor=users["office"], task=farmer_task, lead_units=[units["agri"]],
                         responsible_units=[], all_members_responsible=True)
    farmer_task.refresh_from_db()
    assert farmer_task.all_members_responsible
    assert [tu.unit for tu in farmer_task.task_units.all()] == [units["agri"]]
    with pytest.raises(ApplicationError):
        services.task_update(actor=users["office"], task=farmer_task, lead_units=[])
    assert farmer_task.task_units.count() == 1


# -- targets -------------------------------------------------------------------------------------------------------

def test_target_for_untracked_indicator_is_refused_naming_it(plan, farmer_task, regions, users, indicator):
    with pytest.raises(ApplicationError) as exc:
        services.target_set(actor=users["office"], plan=plan, indicator=indicator("SITE_MUSEUM"),
                            region=regions["county"], year=2023, value=1)
    assert "科技馆" in exc.value.message and "SITE_MUSEUM" in exc.value.message
    assert exc.value.field == "indicator"
    assert not Target.objects.exists()


def test_target_year_and_region_must_lie_within_the_plan(plan, farmer_task, regions, users, indicator):
    farmer = indicator("TRN_FARMER_P")
    with pytest.raises(ApplicationError) as exc:
        services.target_set(actor=users["office"], plan=plan, indicator=farmer, region=regions["county"],
                            year=2026, value=100)
    assert exc.value.field == "year"
    with pytest.raises(ApplicationError) as exc:
        services.target_set(actor=users["office"], plan=plan, indicator=farmer, region=regions["other"],
                            year=2023, value=100)
    assert exc.value.field == "region"
    with pytest.raises(ApplicationError) as exc:
        services.target_set(actor=users["office"], plan=plan, indicator=farmer, region=regions["county"],
                            year=2023, value="很多")
    assert exc.value.field == "value"
    assert not Target.objects.exists()


def test_target_set_twice_updates_and_audits_old_and_new(plan, farmer_task, regions, users, indicator):
    farmer = indicator("TRN_FARMER_P")
    services.target_set(actor=users["office"], plan=plan, indicator=farmer, region=regions["county"], year=2023,
                        value="10000")
    target = services.target_set(actor=users["office"], plan=plan, indicator=farmer, region=regions["county"],
                                 year=2023, value="12,000")
    assert Target.objects.count() == 1 and target.value == Decimal("12000")
    last = AuditEvent.objects.filter(action="target.set").order_by("-id").first()
    assert last.changes["value"] == ["10000.0000", "12000"]


def test_untracking_an_indicator_with_targets_is_refused(plan, farmer_task, regions, users, indicator):
    services.target_set(actor=users["office"], plan=plan, indicator=indicator("TRN_FARMER_P"),
                        region=regions["county"], year=2023, value=100)
    with pytest.raises(ApplicationError) as exc:
        services.task_update(actor=users["office"], task=farmer_task, indicators=[])
    assert "目标值" in exc.value.message
    with pytest.raises(ApplicationError):
        services.task_delete(actor=users["office"], task=farmer_task)
    assert plan.tasks.count() == 1


def test_consistency_check_finds_county_township_mismatch(plan, farmer_task, regions, users, indicator):
    farmer = indicator("TRN_FARMER_P")
    for region, value in (("county", 10000), ("town_a", 4000), ("town_b", 5000)):
        services.target_set(actor=users["office"], plan=plan, indicator=farmer, region=regions[region], year=2023,
                            value=value)
    result = target_consistency(plan, farmer, 2023)
    assert result.applicable
    [row] = result.mismatches
    assert row.region == regions["county"]
    assert row.target == 10000 and row.children_sum == 9000 and row.difference == -1000

    services.target_set(actor=users["office"], plan=plan, indicator=farmer, region=regions["town_b"], year=2023,
                        value=6000)
    assert target_consistency(plan, farmer, 2023).mismatches == []


def test_consistency_check_lists_townships_without_target(plan, farmer_task, regions, users, indicator):
    farmer = indicator("TRN_FARMER_P")
    services.target_set(actor=users["office"], plan=plan, indicator=farmer, region=regions["county"], year=2024,
                        value=500)
    services.target_set(actor=users["office"], plan=plan, indicator=farmer, region=regions["town_a"], year=2024,
                        value=500)
    [row] = target_consistency(plan, farmer, 2024).mismatches
    assert row.difference == 0 and row.children_missing == [regions["town_b"]]


def test_consistency_check_is_not_applicable_to_ratios(plan, units, users, indicator):
    services.task_create(actor=users["office"], plan=plan, title="任务", lead_units=[units["cast"]],
                         indicators=[indicator("DEMO_BOARD_COVER")])
    result = target_consistency(plan, indicator("DEMO_BOARD_COVER"), 2023)
    assert not result.applicable and "比率" in result.reason


# -- local indicators ----------------------------------------------------------------------------------------------

def test_local_indicator_is_created_and_code_clash_refused(builtin, regions, users):
    ind = services.indicator_create(
        actor=users["office"], region=regions["county"], code="qx_orchard_visits", name="果园科普参观人次",
        category="activities", unit="人次", time_aggregation="sum", aliases="果园参观、采摘科普")
    assert ind.code == "QX_ORCHARD_VISITS" and ind.aliases == ["果园参观", "采摘科普"]
    with pytest.raises(ApplicationError) as exc:
        services.indicator_create(actor=users["office"], region=regions["county"], code="HR_FULL", name="重复",
                                  category="base", unit="人")
    assert exc.value.field == "code"


def test_local_ratio_needs_existing_parts(builtin, regions, users):
    with pytest.raises(ApplicationError) as exc:
        services.indicator_create(actor=users["office"], region=regions["county"], code="QX_RATIO",
                                  name="比率", category="base", unit="%", region_aggregation="ratio",
                                  time_aggregation="latest", numerator=["HR_FULL"], denominator=["NO_SUCH"],
                                  factor=100)
    assert "NO_SUCH" in exc.value.message and exc.value.field == "denominator"
    ratio = services.indicator_create(actor=users["office"], region=regions["county"], code="QX_RATIO",
                                      name="比率", category="base", unit="%", region_aggregation="ratio",
                                      time_aggregation="latest", numerator="HR_FULL", denominator="BASE_POP")
    assert ratio.numerator == ["HR_FULL"]


# -- documents and meetings ----------------------------------------------------------------------------------------

def test_document_and_meeting_link_tasks_of_the_region(farmer_task, regions, users, plan):
    doc = services.document_create(actor=users["office"], region=regions["county"], doc_no="渠府办〔2021〕68号",
                                   title="关于印发实施方案的通知", issuer="渠县人民政府办公室",
                                   issued_on=date(2021, 11, 1), tasks=[farmer_task])
    assert list(doc.tasks.all()) == [farmer_task]
    meeting = services.meeting_create(actor=users["office"], region=regions["county"], title="领导小组全体会议",
                                      held_on=date(2023, 3, 10), decisions="审议2023年工作要点", tasks=[farmer_task])
    assert meeting.tasks.count() == 1
    with pytest.raises(ApplicationError) as exc:
        services.document_create(actor=users["office"], region=regions["county"], doc_no="渠府办〔2021〕68号",
                                 title="重复", issuer="渠县人民政府办公室", issued_on=date(2021, 11, 1))
    assert exc.value.field == "doc_no"
    with pytest.raises(ApplicationError) as exc:
        services.meeting_create(actor=users["city_office"], region=regions["city"], title="市级会议",
                                held_on=date(2023, 3, 10), tasks=[farmer_task])
    assert exc.value.field == "tasks"
