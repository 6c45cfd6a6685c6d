"""REST API: authentication (session, token), one error shape, scope for every endpoint and role, writes through
the collection services, DHIS2-style exchange, and the next request after an approval seeing the figure."""


import pytest

from kesu.accounts.services import token_create, token_revoke
from kesu.collection.models import IndicatorValue, Submission
from kesu.collection.rollup import rollup_rebuild

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/regions", "/api/units", "/api/frameworks", "/api/indicators", "/api/plans", "/api/values",
             "/api/activities", "/api/submissions", "/api/analytics?periods=2024",
             "/api/dataValueSets", "/api/narratives?region=511725&period=2024"]


def bearer(user):
    _, raw = token_create(actor=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def data(world):
    w = world
    w.put("VISITS", w.town1, 100, pid="2024")
    w.put("VISITS", w.county, 30, pid="2024", unit=w.edu)
    w.put("VISITS", w.county2, 70, pid="2024")
    w.put("VISITS", w.county, 5, pid="2024", unit=w.agri, status="draft")
    rollup_rebuild()
    return w


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_gets_401_json_not_redirect(client, data, url):
    r = client.get(url)
    assert r.status_code == 401
    body = r.json()
    assert body["code"] == "unauthorized" and "令牌" in body["message"] and body["fields"] == []


def test_openapi_and_docs(client, data):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["openapi"].startswith("3.") and "/api/dataValueSets" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_token_auth_and_revocation(client, data):
    token, raw = token_create(actor=data.office, name="脚本")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/regions", **headers).status_code == 200
    token_revoke(actor=data.office, token=token)
    assert client.get("/api/regions", **headers).status_code == 401
    assert client.get("/api/regions", HTTP_AUTHORIZATION="Bearer ksu_wrong").status_code == 401


@pytest.mark.parametrize("url", ENDPOINTS)
def test_every_endpoint_answers_each_role(client, data, url, django_assert_max_num_queries):
    for user in (data.admin, data.city_office, data.office, data.viewer):
        headers = bearer(user)
        with django_assert_max_num_queries(25):
            r = client.get(url, **headers)
        assert r.status_code in (200, 403), (user, url, r.content[:300])
    filler = bearer(data.filler)
    r = client.get(url, **filler)
    assert r.status_code in (200, 400, 403, 404)


def test_regions_scoped(client, data):
    codes = {r["code"] for r in client.get("/api/regions", **bearer(data.office)).json()}
    assert codes == {"511725", "511725100", "511725101"}
    codes = {r["code"] for r in client.get("/api/regions", **bearer(data.city_office)).json()}
    assert "511724" in codes and "511700" in codes


def test_values_scoped_by_role(client, data):
    got = client.get("/api/values?period=2024", **bearer(data.office)).json()
    assert {(v["region"], v["unit"], v["value"]) for v in got} == {
        ("511725100", None, 100), ("511725", data.edu.pk, 30), ("511725", data.agri.pk, 5)}
    got = client.get("/api/values?period=2024", **bearer(data.viewer)).json()
    assert all(v["approved"] for v in got) and 5 not in [v["value"] for v in got]  # a viewer sees no draft
    got = client.get("/api/values?period=2024", **bearer(data.filler)).json()
    assert {v["unit"] for v in got} == {data.edu.pk}
    r = client.get("/api/values?region=511725", **bearer(data.other_office))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_units_and_submissions_scoped(client, data):
    units = client.get("/api/units", **bearer(data.other_office)).json()
    assert units == []
    subs = client.get("/api/submissions", **bearer(data.filler)).json()
    assert subs and {s["unit"] for s in subs} == {data.edu.pk}


def test_value_write_goes_through_service_validation(client, data):
    year = str(data.year)
    h = bearer(data.filler)
    r = client.post("/api/values", data={"indicator": "VISITS", "region": "511725", "unit": data.edu.pk,
                                         "period": year, "value": "abc"}, content_type="application/json", **h)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid" and "不是数字" in body["message"] and body["fields"] == ["value"]
    r = client.post("/api/values", data={"indicator": "VISITS", "region": "511725", "unit": data.agri.pk,
                                         "period": year, "value": 3}, content_type="application/json", **h)
    assert r.status_code == 404  # another unit's return is invisible to this filler
    r = client.post("/api/values", data={"indicator": "VISITS", "region": "511725", "unit": data.edu.pk,
                                         "period": year, "value": "1,200"}, content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["value"] == 1200
    row = IndicatorValue.objects.get(indicator=data.ind["VISITS"], unit=data.edu, period_id=year)
    assert row.source == "API" and row.value == 1200
    r = client.post("/api/values", data={"indicator": "NOPE", "region": "511725", "period": year, "value": 1},
                    content_type="application/json", **bearer(data.office))
    assert r.json()["fields"] == ["indicator"] and "不存在" in r.json()["message"]


def test_validation_error_shape(client, data):
    r = client.post("/api/values", data={"region": "511725"}, content_type="application/json",
                    **bearer(data.office))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation" and "indicator" in body["fields"]


def test_approval_via_api_visible_on_next_request(client, data):
    year = str(data.year)
    h = bearer(data.office)
    assert client.post("/api/values", data={"indicator": "VISITS", "region": "511725100", "period": year,
                                            "value": 42}, content_type="application/json", **h).status_code == 200
    q = f"/api/analytics?indicators=VISITS&periods={year}&region=511725"
    before = client.get(q, **h).json()
    assert before["rows"][0]["values"][0] is None  # draft: not in the approved figures
    sub = Submission.objects.get(region=data.town1, unit=None, period_id=year)
    r = client.post(f"/api/submissions/{sub.pk}/submit", data={}, content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    submitted = client.get(q + "&include_submitted=true", **h).json()
    assert submitted["rows"][0]["values"][0] == 42 and submitted["includes_unapproved"] is True
    r = client.post(f"/api/submissions/{sub.pk}/approve", data={}, content_type="application/json",
                    **bearer(data.filler))
    assert r.status_code in (403, 404)
    r = client.post(f"/api/submissions/{sub.pk}/approve", data={}, content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    after = client.get(q, **h).json()
    assert after["rows"][0]["values"][0] == 42 and after["rows"][0]["total"] == 42
    assert after["includes_unapproved"] is False


def test_return_needs_reason(client, data):
    year = str(data.year)
    h = bearer(data.office)
    client.post("/api/values", data={"indicator": "VISITS", "region": "511725100", "period": year, "value": 1},
                content_type="application/json", **h)
    sub = Submission.objects.get(region=data.town1, unit=None, period_id=year)
    client.post(f"/api/submissions/{sub.pk}/submit", data={}, content_type="application/json", **h)
    r = client.post(f"/api/submissions/{sub.pk}/return", data={"reason": ""}, content_type="application/json", **h)
    assert r.status_code == 400 and r.json()["fields"] == ["reason"]


def test_data_value_sets_export_json_and_csv(client, data):
    # The exchange itself is tested in kesu/collection/tests/test_dhis2.py; here: the export reads analytics' data.
    h = bearer(data.city_office)
    body = client.get("/api/dataValueSets?period=2024", **h).json()
    assert {(v["dataElement"], v["orgUnit"], v["value"]) for v in body["dataValues"]} >= {
        ("VISITS", "511725100", "100"), ("VISITS", "511724", "70")}
    lines = client.get("/api/dataValueSets.csv?period=2024", **h).content.decode().splitlines()
    assert lines[0] == "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby," \
                       "lastupdated,comment,followup,deleted"
    assert any(line.startswith("VISITS,2024,511724,,,70,") for line in lines)


def test_session_auth_with_csrf(data):
    from django.test import Client
    c = Client(enforce_csrf_checks=True)
    c.force_login(data.office)
    assert c.get("/api/regions").status_code == 200
    r = c.post("/api/values", data={"indicator": "VISITS", "region": "511725100", "period": str(data.year),
                                    "value": 1}, content_type="application/json")
    assert r.status_code in (401, 403)  # a session write without the CSRF token is refused


def test_values_tell_a_filler_which_of_its_figures_are_approved(client, data):
    rows = client.get("/api/values?period=2024", **bearer(data.filler)).json()
    assert [(r["unit"], r["approved"]) for r in rows] == [(data.edu.pk, True)]
    from kesu.accounts.models import Role

    from .conftest import make_user

    agri = make_user("agri_filler", Role.FILLER, unit=data.agri)
    rows = client.get("/api/values?period=2024&region=511725", **bearer(agri)).json()
    assert [(r["unit"], r["approved"]) for r in rows] == [(data.agri.pk, False)]  # its return is still a draft


def test_a_narrative_for_a_task_of_another_regions_plan_is_refused(client, data):
    from kesu.collection.models import Narrative
    from kesu.plans.loader import load_builtin
    from kesu.plans.models import Framework, Plan, Task

    load_builtin()
    framework = Framework.objects.get(code="kxsz-2021-2035", region__isnull=True)
    plan_y = Plan.objects.create(region=data.county2, framework=framework, title="大竹县实施方案", start_year=2021,
                                 end_year=2030)
    task_y = Task.objects.create(plan=plan_y, title="大竹县科普讲座", number="A1")
    plan_x = Plan.objects.create(region=data.county, framework=framework, title="渠县实施方案", start_year=2021,
                                 end_year=2030)
    task_x = Task.objects.create(plan=plan_x, title="渠县科普讲座", number="A1")
    body = {"region": "511725", "unit": data.edu.pk, "period": str(data.year), "progress": "已开展"}
    r = client.post("/api/narratives", data={**body, "task": task_y.pk}, content_type="application/json",
                    **bearer(data.filler))
    assert r.status_code == 400 and r.json()["fields"] == ["task"] and "大竹县的实施方案" in r.json()["message"]
    assert not Narrative.objects.exists()
    r = client.post("/api/narratives", data={**body, "task": task_x.pk}, content_type="application/json",
                    **bearer(data.filler))
    assert r.status_code == 200 and Narrative.objects.get().task == task_x


def test_plans_list_the_same_plans_as_the_plans_pages(client, data):
    """A county office sees its plans and the city's above it; a 填报员 sees its own region's plans, as on the pages."""
    from kesu.plans.loader import load_builtin
    from kesu.plans.models import Framework, Plan

    load_builtin()
    framework = Framework.objects.get(code="kxsz-2021-2035", region__isnull=True)
    Plan.objects.create(region=data.city, framework=framework, title="达州市实施方案", start_year=2021, end_year=2025)
    county_plan = Plan.objects.create(region=data.county, framework=framework, title="渠县实施方案", start_year=2021,
                                      end_year=2025)
    titles = {p["title"] for p in client.get("/api/plans", **bearer(data.office)).json()}
    assert titles == {"达州市实施方案", "渠县实施方案"}
    assert [p["title"] for p in client.get("/api/plans", **bearer(data.filler)).json()] == ["渠县实施方案"]
    city_plan = Plan.objects.get(region=data.city)
    assert client.get(f"/api/plans/{city_plan.pk}/tasks", **bearer(data.filler)).status_code == 404
    assert client.get(f"/api/plans/{county_plan.pk}/tasks", **bearer(data.filler)).status_code == 200
