"""Selectors and pages: visibility by scope, task filters, forms, 403 for readers and 404 outside the scope."""

import pytest
from django.urls import reverse

from kesu.accounts.scope import Scope
from kesu.plans import selectors, services
from kesu.plans.models import Framework, Plan, Target, TaskRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(builtin, regions, users, units, indicator):
    plan = services.plan_create(actor=users["office"], region=regions["county"], framework=builtin,
                                title="渠县实施方案（2021—2025年）", start_year=2021, end_year=2025)
    items = {i.code: i for i in builtin.items.all()}
    office = users["office"]
    services.task_create(actor=office, plan=plan, number="1", title="开展校园科技节", item=items["A1.2"],
                         lead_units=[units["edu"], units["cast"]], responsible_units=[units["youth"]],
                         indicators=[indicator("ACT_CONTEST_N")])
    services.task_create(actor=office, plan=plan, number="2", title="高素质农民培育", item=items["A2.2"],
                         lead_units=[units["agri"]], responsible_units=[units["hr"], units["women"]],
                         due_period="2025", indicators=[indicator("TRN_FARMER_P")])
    services.task_create(actor=office, plan=plan, number="3", title="全国科普日主场活动", item=items["P4"],
                         lead_units=[units["cast"]], responsible_units=[units["women"]])
    return plan


def _client(client, user):
    client.force_login(user)
    return client


# -- selectors -----------------------------------------------------------------------------------------------------

def test_plans_visible_to_subtree_above_and_below_but_not_beside(plan, regions, users):
    def sees(user):
        return plan in selectors.plans_for_scope(Scope.for_user(user))
    assert sees(users["office"]) and sees(users["city_office"]) and sees(users["town_office"])
    assert sees(users["viewer"]) and sees(users["filler"]) and sees(users["admin"])
    assert not sees(users["other_office"])


def test_filler_sees_only_the_plans_of_its_units_region(plan, regions, users, builtin):
    city_plan = Plan.objects.create(region=regions["city"], framework=builtin, title="市方案", start_year=2021,
                                    end_year=2025)
    visible = list(selectors.plans_for_scope(Scope.for_user(users["filler"])))
    assert visible == [plan] and city_plan not in visible
    assert city_plan in selectors.plans_for_scope(Scope.for_user(users["office"]))


def test_tasks_filtered_by_unit_role_and_item(plan, units, users, builtin):
    scope = Scope.for_user(users["office"])

    def titles(**kw):
        return [t.title for t in selectors.tasks_for_plan(scope, plan, **kw)]
    assert titles(unit=units["edu"]) == ["开展校园科技节"]
    assert titles(unit=units["women"]) == ["高素质农民培育", "全国科普日主场活动"]
    assert titles(unit=units["cast"], role=TaskRole.LEAD) == ["开展校园科技节", "全国科普日主场活动"]
    assert titles(unit=units["cast"], role=TaskRole.RESPONSIBLE) == []
    assert titles(item=builtin.items.get(code="A2")) == ["高素质农民培育"]
    assert titles(item=builtin.items.get(code="P4")) == ["全国科普日主场活动"]
    # 各成员单位 makes every unit of the region responsible (not lead) for the task.
    services.task_create(actor=users["office"], plan=plan, title="科普宣传周", lead_units=[units["cast"]],
                         all_members_responsible=True)
    assert titles(unit=units["edu"]) == ["开展校园科技节", "科普宣传周"]
    assert titles(unit=units["edu"], role=TaskRole.LEAD) == ["开展校园科技节"]
    assert titles(unit=units["cast"], role=TaskRole.RESPONSIBLE) == []


def test_tasks_for_plan_has_no_n_plus_one(plan, users, units, django_assert_max_num_queries):
    scope = Scope.for_user(users["office"])
    for i in range(6):
        services.task_create(actor=users["office"], plan=plan, title=f"额外任务{i}", lead_units=[units["cast"]],
                             responsible_units=[units["edu"], units["agri"]])
    with django_assert_max_num_queries(4):
        for task in selectors.tasks_for_plan(scope, plan):
            [tu.unit.name for tu in task.task_units.all()]
            [i.name for i in task.indicators.all()]
            _ = task.item and task.item.parent


def test_indicator_search_matches_aliases(builtin, users):
    scope = Scope.for_user(users["viewer"])
    found = [i.code for i in selectors.indicators_for_scope(scope, q="参训农民")]
    assert found == ["TRN_FARMER_P"]
    assert all(i.category == "funds" for i in selectors.indicators_for_scope(scope, category="funds"))


def test_local_indicators_and_frameworks_are_scoped(builtin, regions, users):
    services.indicator_create(actor=users["office"], region=regions["county"], code="QX_LOCAL", name="渠县指标",
                              category="base", unit="个")
    copy = services.framework_localise(actor=users["office"], framework=builtin, region=regions["county"])
    for key, expected in (("office", True), ("city_office", True), ("town_office", True), ("other_office", False)):
        scope = Scope.for_user(users[key])
        assert ("QX_LOCAL" in {i.code for i in selectors.indicators_for_scope(scope)}) is expected, key
        assert (copy in selectors.frameworks_for_scope(scope)) is expected, key


# -- pages ---------------------------------------------------------------------------------------------------------

def test_plan_detail_groups_tasks_by_framework_item(client, plan, users):
    response = _client(client, users["viewer"]).get(reverse("plans:plan_detail", args=[plan.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "青少年科学素质提升行动" in html and "基层科普能力提升工程" in html
    assert "渠县教育局" in html and "渠县妇联" in html and "待核实" in html
    assert html.index("开展校园科技节") < html.index("高素质农民培育") < html.index("全国科普日主场活动")


def test_plan_detail_filter_by_unit_shows_only_that_units_tasks(client, plan, users, units):
    c = _client(client, users["office"])
    html = c.get(reverse("plans:plan_detail", args=[plan.pk]), {"unit": units["edu"].pk}).content.decode()
    assert "开展校园科技节" in html
    assert "高素质农民培育" not in html and "全国科普日主场活动" not in html
    partial = c.get(reverse("plans:plan_detail", args=[plan.pk]), {"unit": units["agri"].pk, "role": "lead"},
                    HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "<html" not in text and "高素质农民培育" in text and "开展校园科技节" not in text


def test_task_form_without_lead_shows_the_service_message(client, plan, users, units):
    c = _client(client, users["office"])
    url = reverse("plans:task_create", args=[plan.pk])
    response = c.post(url, {"title": "老年人健康科普", "responsible_units": [units["women"].pk]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "老年人健康科普" in html and "牵头单位”不能为空" in html
    assert not plan.tasks.filter(title="老年人健康科普").exists()
    response = c.post(url, {"title": "老年人健康科普", "lead_units": [units["cast"].pk], "due_period": "2024"})
    assert response.status_code == 302
    assert plan.tasks.filter(title="老年人健康科普", due_period="2024").exists()


def test_task_edit_and_delete(client, plan, users, units):
    c = _client(client, users["office"])
    task = plan.tasks.get(number="3")
    response = c.post(reverse("plans:task_edit", args=[task.pk]),
                      {"title": "全国科普日活动", "lead_units": [units["cast"].pk, units["edu"].pk]})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "全国科普日活动" and task.task_units.filter(role=TaskRole.LEAD).count() == 2
    assert c.post(reverse("plans:task_delete", args=[task.pk])).status_code == 302
    assert not plan.tasks.filter(pk=task.pk).exists()


def test_targets_page_sets_targets_and_consistency_page_reports_mismatch(client, plan, users, regions, indicator):
    c = _client(client, users["office"])
    url = reverse("plans:target_list", args=[plan.pk])
    farmer = indicator("TRN_FARMER_P")
    refused = c.post(url, {"indicator": indicator("SITE_MUSEUM").pk, "region": regions["county"].pk,
                           "year": 2023, "value": "1"})
    assert refused.status_code == 200 and not Target.objects.exists()
    for region, value in (("county", "8000"), ("town_a", "3000"), ("town_b", "3000")):
        assert c.post(url, {"indicator": farmer.pk, "region": regions[region].pk, "year": 2023,
                            "value": value}).status_code == 302
    html = c.get(url).content.decode()
    assert ">8000<" in html
    check = c.get(reverse("plans:target_consistency", args=[plan.pk]), {"indicator": farmer.pk, "year": 2023})
    text = check.content.decode()
    assert "发现 1 处不一致" in text and "下级合计比本级少 2000" in text


def test_indicator_catalogue_page_and_local_indicator_form(client, builtin, users):
    c = _client(client, users["office"])
    html = c.get(reverse("plans:indicator_list")).content.decode()
    assert "科普经费" in html and "FUND_RAISED" in html and "期末值（存量）" in html and "比率重算" in html
    assert "（科普专职人员 + 科普兼职人员） ÷ 常住人口 × 1" in html
    found = c.get(reverse("plans:indicator_list"), {"q": "发放宣传资料"}).content.decode()
    assert "MEDIA_MATERIALS" in found and "FUND_RAISED" not in found
    response = c.post(reverse("plans:indicator_create"), {
        "region": users["office"].region_id, "code": "QX_X", "name": "渠县指标", "category": "base", "unit": "个",
        "value_type": "integer", "region_aggregation": "ratio", "time_aggregation": "latest",
        "numerator": "HR_FULL", "denominator": "NOPE", "factor": "100"})
    assert response.status_code == 200 and "NOPE" in response.content.decode()


def test_framework_pages_and_localise_action(client, builtin, users, regions):
    c = _client(client, users["office"])
    assert "全民科学素质行动规划纲要" in c.get(reverse("plans:framework_list")).content.decode()
    html = c.get(reverse("plans:framework_detail", args=[builtin.pk])).content.decode()
    assert "待核实" in html and "本地化" in html and "10.56" in html
    response = c.post(reverse("plans:framework_localise", args=[builtin.pk]), {"region": regions["county"].pk})
    copy = Framework.objects.get(region=regions["county"])
    assert response.status_code == 302 and response.url == reverse("plans:framework_detail", args=[copy.pk])
    viewer = _client(client, users["viewer"])
    assert "本地化</button>" not in viewer.get(reverse("plans:framework_detail", args=[builtin.pk])).content.decode()


def test_document_and_meeting_forms(client, plan, users, regions):
    c = _client(client, users["office"])
    response = c.post(reverse("plans:document_create"), {
        "region": regions["county"].pk, "doc_no": "渠府办〔2021〕68号", "title": "关于印发实施方案的通知",
        "issuer": "渠县人民政府办公室", "issued_on": "2021-11-01", "tasks": [plan.tasks.first().pk]})
    assert response.status_code == 302
    assert "渠府办〔2021〕68号" in c.get(reverse("plans:document_list")).content.decode()
    response = c.post(reverse("plans:meeting_create"), {
        "region": regions["county"].pk, "title": "2023年领导小组全体会议", "held_on": "2023-03-10"})
    assert response.status_code == 302
    assert "2023年领导小组全体会议" in c.get(reverse("plans:meeting_list")).content.decode()


# -- scope on every URL --------------------------------------------------------------------------------------------

def _urls(plan, task, builtin):
    return {
        "read": [reverse("plans:plan_list"), reverse("plans:plan_detail", args=[plan.pk]),
                 reverse("plans:target_list", args=[plan.pk]), reverse("plans:target_consistency", args=[plan.pk]),
                 reverse("plans:document_list"), reverse("plans:meeting_list"), reverse("plans:indicator_list"),
                 reverse("plans:framework_list"), reverse("plans:framework_detail", args=[builtin.pk])],
        "forms": [reverse("plans:plan_create"), reverse("plans:task_create", args=[plan.pk]),
                  reverse("plans:task_edit", args=[task.pk]), reverse("plans:task_delete", args=[task.pk]),
                  reverse("plans:document_create"), reverse("plans:meeting_create"),
                  reverse("plans:indicator_create")],
        "in_plan": [reverse("plans:plan_detail", args=[plan.pk]), reverse("plans:task_create", args=[plan.pk]),
                    reverse("plans:task_edit", args=[task.pk]), reverse("plans:target_list", args=[plan.pk]),
                    reverse("plans:target_consistency", args=[plan.pk])],
    }


def test_anonymous_is_sent_to_login_everywhere(client, plan, builtin):
    urls = _urls(plan, plan.tasks.first(), builtin)
    for url in urls["read"] + urls["forms"] + [reverse("plans:framework_localise", args=[builtin.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url, url


def test_office_reads_and_opens_forms(client, plan, builtin, users):
    c = _client(client, users["office"])
    urls = _urls(plan, plan.tasks.first(), builtin)
    for url in urls["read"] + urls["forms"]:
        assert c.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["viewer", "filler"])
def test_readers_read_but_get_403_on_forms(client, plan, builtin, users, who):
    c = _client(client, users[who])
    urls = _urls(plan, plan.tasks.first(), builtin)
    for url in urls["read"]:
        assert c.get(url).status_code == 200, url
    for url in urls["forms"]:
        assert c.get(url).status_code == 403, url
    assert c.post(reverse("plans:framework_localise", args=[builtin.pk])).status_code == 403
    assert c.post(reverse("plans:target_list", args=[plan.pk]), {"value": "1"}).status_code == 403


def test_lower_office_reads_the_county_plan_but_cannot_change_it(client, plan, builtin, users):
    c = _client(client, users["town_office"])
    assert c.get(reverse("plans:plan_detail", args=[plan.pk])).status_code == 200
    assert c.get(reverse("plans:task_create", args=[plan.pk])).status_code == 403
    assert c.get(reverse("plans:task_edit", args=[plan.tasks.first().pk])).status_code == 403


def test_outside_the_scope_is_404(client, plan, builtin, users, regions):
    c = _client(client, users["other_office"])
    urls = _urls(plan, plan.tasks.first(), builtin)
    for url in urls["in_plan"]:
        assert c.get(url).status_code == 404, url
    assert c.get(reverse("plans:task_delete", args=[plan.tasks.first().pk])).status_code == 404
    copy = services.framework_localise(actor=users["office"], framework=builtin, region=regions["county"])
    assert c.get(reverse("plans:framework_detail", args=[copy.pk])).status_code == 404
