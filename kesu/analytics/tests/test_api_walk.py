"""Call every operation of the REST API's OpenAPI document as every role and assert exactly who may.

The roles are the same eight as the URL walk (``tests/test_url_walk.py``): anonymous, the 填报员 of
unit A and unit B (both in county X), the offices of county X, of county Y and of their prefecture P, a 查看 of
county X and the 系统管理员. Each operation has a rule naming the roles that get a 2xx answer; every other role must
be refused (401 anonymous, 400/403/404 signed in) and a refused write must leave no audit event. Reads that list
rows also name the roles allowed to see a row of county Y: a list that leaks it to a role of county X fails.

An operation in the OpenAPI document without a rule here fails ``test_every_operation_has_a_rule``.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.db import transaction

from kesu.accounts.models import Role
from kesu.accounts.services import token_create
from kesu.collection.models import Activity, Submission
from kesu.core.models import AuditEvent
from kesu.orgs.models import Unit, UnitKind
from kesu.plans.loader import load_builtin
from kesu.plans.models import Framework, Plan, Task, TaskRole, TaskUnit

from .conftest import make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "filler_a", "filler_b", "office_x", "office_y", "office_p", "viewer_x", "admin"]
SIGNED_IN = set(ROLES) - {"anonymous"}
READ_X = {"office_x", "office_p", "viewer_x", "admin"}
REVIEW_X = {"office_p", "admin"}  # a county's own return is approved by the level above (or the administrator)
SEES_Y = {"office_y", "office_p", "admin"}
Y_CODE = "511724"  # county Y: a marker that must not appear in what a role of county X reads


@dataclass
class Call:
    """How to call one operation against county X's data, who succeeds, and who may see county Y's rows."""

    path: object  # a URL, or a function of the fixtures returning one
    allowed: set
    body: object = None  # JSON body (or a function of the fixtures); None: a GET
    sees_y: set | None = None  # for lists: roles whose answer may mention county Y
    kind: str = "read"  # read / write / workflow


RULES = {
    ("get", "/api/health"): Call("/api/health", set(ROLES)),
    ("get", "/api/regions"): Call("/api/regions", SIGNED_IN, sees_y=SEES_Y),
    ("get", "/api/units"): Call("/api/units", SIGNED_IN, sees_y=SEES_Y),
    ("get", "/api/frameworks"): Call("/api/frameworks", SIGNED_IN),
    ("get", "/api/indicators"): Call("/api/indicators", SIGNED_IN),
    ("get", "/api/plans"): Call("/api/plans", SIGNED_IN, sees_y=SEES_Y),
    ("get", "/api/plans/{plan_id}/tasks"): Call(lambda w: f"/api/plans/{w.plan_x.pk}/tasks",
                                                SIGNED_IN - {"office_y"}),
    ("get", "/api/plans/{plan_id}/targets"): Call(lambda w: f"/api/plans/{w.plan_x.pk}/targets",
                                                  SIGNED_IN - {"office_y"}),
    ("get", "/api/values"): Call("/api/values?region=511725&period=2024", SIGNED_IN - {"office_y"}),
    ("get", "/api/activities"): Call("/api/activities", SIGNED_IN, sees_y=SEES_Y),
    ("get", "/api/narratives"): Call(lambda w: f"/api/narratives?region=511725&period=2024&unit={w.edu.pk}",
                                     READ_X | {"filler_a"}),
    ("get", "/api/submissions"): Call("/api/submissions", SIGNED_IN, sees_y=SEES_Y),
    ("get", "/api/analytics"): Call("/api/analytics?periods=2024&region=511725", READ_X),
    ("get", "/api/dataValueSets"): Call("/api/dataValueSets?region=511725", SIGNED_IN - {"office_y"}),
    ("get", "/api/dataValueSets.{suffix}"): Call("/api/dataValueSets.csv?orgUnit=511725", SIGNED_IN - {"office_y"}),
    ("post", "/api/dataValueSets.{suffix}"): Call(
        "/api/dataValueSets.json", {"filler_a", "office_x", "office_p", "admin"}, kind="write",
        body=lambda w: {"dataValues": [{"dataElement": "VISITS", "period": str(w.year), "orgUnit": "511725",
                                        "attributeOptionCombo": str(w.edu.pk), "value": "8"}]}),
    ("post", "/api/values"): Call(
        "/api/values", {"filler_a", "office_x", "office_p", "admin"}, kind="write",
        body=lambda w: {"indicator": "VISITS", "region": "511725", "unit": w.edu.pk, "period": str(w.year),
                        "value": 12}),
    ("post", "/api/activities"): Call(
        "/api/activities", {"filler_a", "office_x", "office_p", "admin"}, kind="write",
        body=lambda w: {"unit": w.edu.pk, "kind": "lecture", "title": "科普讲座", "start_date": str(date.today()),
                        "participants": 30}),
    ("post", "/api/narratives"): Call(
        "/api/narratives", {"filler_a", "office_x", "office_p", "admin"}, kind="write",
        body=lambda w: {"task": w.task_x.pk, "region": "511725", "unit": w.edu.pk, "period": str(w.year),
                        "progress": "已开展培训"}),
    ("post", "/api/dataValueSets"): Call(
        "/api/dataValueSets", {"filler_a", "office_x", "office_p", "admin"}, kind="write",
        body=lambda w: {"dataValues": [{"dataElement": "VISITS", "period": str(w.year), "orgUnit": "511725",
                                        "attributeOptionCombo": str(w.edu.pk), "value": "8"}]}),
    ("post", "/api/submissions/{submission_id}/{action}"): Call(
        lambda w: f"/api/submissions/{w.subs['draft_a'].pk}/submit", {"filler_a", "office_x", "office_p", "admin"},
        kind="workflow", body={"reason": ""}),
}
# The same operation, other actions: approving and returning county X's own submitted return.
WORKFLOW = {
    "approve": Call(lambda w: f"/api/submissions/{w.subs['submitted_x'].pk}/approve", REVIEW_X, kind="workflow",
                    body={"reason": ""}),
    "return": Call(lambda w: f"/api/submissions/{w.subs['submitted_x'].pk}/return", REVIEW_X, kind="workflow",
                   body={"reason": "数据有误，请核实"}),
    "approve_unit": Call(lambda w: f"/api/submissions/{w.subs['submitted_a'].pk}/approve", {"office_x", "office_p",
                                                                                             "admin"},
                         kind="workflow", body={"reason": ""}),
}


@pytest.fixture
def walk(world):
    """Two counties of one prefecture; units A and B in county X, unit C in county Y; a plan, data and returns."""
    w = world
    w.unit_c = Unit.objects.create(region=w.county2, name="大竹县教育局", short_name="教育局", kind=UnitKind.EDUCATION)
    w.users = {
        "filler_a": w.filler, "filler_b": make_user("agri_filler", Role.FILLER, unit=w.agri),
        "office_x": w.office, "office_y": w.other_office, "office_p": w.city_office,
        "viewer_x": make_user("county_viewer", Role.VIEWER, region=w.county), "admin": w.admin,
    }
    load_builtin()
    framework = Framework.objects.get(code="kxsz-2021-2035", region__isnull=True)
    w.plan_x = Plan.objects.create(region=w.county, framework=framework, title="渠县实施方案", start_year=2021,
                                   end_year=2030)
    Plan.objects.create(region=w.county2, framework=framework, title="大竹县实施方案", start_year=2021, end_year=2030)
    w.task_x = Task.objects.create(plan=w.plan_x, title="开展农村实用技术培训", number="A2.1")
    TaskUnit.objects.create(task=w.task_x, unit=w.edu, role=TaskRole.LEAD)
    w.put("VISITS", w.county, 30, unit=w.edu, status="draft")
    w.put("VISITS", w.county2, 70, unit=w.unit_c)
    Activity.objects.create(unit=w.unit_c, region=w.county2, kind="lecture", title="大竹县讲座",
                            start_date=date(2024, 5, 1), end_date=date(2024, 5, 1))
    for region, unit in ((w.county, w.edu), (w.county, w.agri), (w.town1, None), (w.town2, None)):
        w.put("VISITS", region, 1, pid="2022", unit=unit)  # county X's 2022 return is ready for review
    w.subs = {
        "draft_a": w.put("VISITS", w.county, 1, pid=str(w.year), unit=w.edu, status="draft") and
        Submission.objects.get(region=w.county, unit=w.edu, period_id=str(w.year)),
        "submitted_a": _submission(w, w.county, w.agri, "submitted"),
        "submitted_x": _submission(w, w.county, None, "submitted", pid="2022"),  # no unit return pending
    }
    w.users["viewer_x"].api_access = True  # its office let this 查看 read through the API
    w.users["viewer_x"].save(update_fields=["api_access"])
    w.tokens = {role: token_create(actor=user, name="接口巡检")[1] for role, user in w.users.items()}
    return w


def _submission(w, region, unit, status, pid=None):
    pid = pid or str(w.year)
    w.put("VISITS", region, 2, pid=pid, unit=unit, status=status)
    return Submission.objects.get(region=region, unit=unit, period_id=pid)


def _resolve(value, w):
    return value(w) if callable(value) else value


def _call(client, w, role, call: Call, auth: str):
    """One call as ``role``, authenticated by token or session, rolled back so every role meets the same data."""
    client.logout()
    headers = {}
    if role != "anonymous":
        if auth == "token":
            headers["HTTP_AUTHORIZATION"] = f"Bearer {w.tokens[role]}"
        else:
            client.force_login(w.users[role])
    url, body = _resolve(call.path, w), _resolve(call.body, w)
    events = AuditEvent.objects.count()
    with transaction.atomic():
        if body is None:
            response = client.get(url, **headers)
        else:
            response = client.post(url, body, content_type="application/json", **headers)
        written = AuditEvent.objects.count() - events
        transaction.set_rollback(True)
    return response, written


def _check(client, w, call: Call, auth: str):
    outcome = {}
    for role in ROLES:
        response, written = _call(client, w, role, call, auth)
        outcome[role] = response.status_code
        if response.status_code >= 300:
            assert written == 0, f"a refused call by {role} left {written} audit events"
            # A DHIS2 import refuses a row it may not write as a conflict (409 ImportSummary), as DHIS2 does.
            expected = {401} if role == "anonymous" else {400, 403, 404, 409}
            assert response.status_code in expected, f"{role}: {response.status_code} {response.content[:200]}"
            assert "message" in response.json(), response.content
            if response.status_code == 409:
                conflicts = response.json()["response"]["conflicts"]
                assert conflicts and conflicts[0]["errorCode"] == "E7617", response.content
        elif call.kind != "read":
            assert written >= 1, f"{role}: a successful {call.kind} must leave an audit event"
        if call.sees_y is not None and response.status_code == 200:
            leaked = Y_CODE in response.content.decode() or f'"unit": {w.unit_c.pk}' in response.content.decode()
            assert leaked == (role in call.sees_y), f"{role} {'sees' if leaked else 'misses'} county Y rows"
    allowed = {role for role, status in outcome.items() if status < 300}
    assert allowed == call.allowed, f"{outcome}"


def test_every_operation_has_a_rule(client, walk):
    spec = client.get("/api/openapi.json").json()
    operations = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert operations - set(RULES) == set(), "API operations without an access rule"
    assert set(RULES) - operations == set(), "rules for operations that no longer exist"


@pytest.mark.parametrize("auth", ["token", "session"])
@pytest.mark.parametrize("operation", sorted(RULES), ids=lambda op: f"{op[0]} {op[1]}")
def test_who_may_call_each_operation(client, walk, operation, auth):
    _check(client, walk, RULES[operation], auth)


@pytest.mark.parametrize("action", sorted(WORKFLOW))
def test_who_may_review(client, walk, action):
    _check(client, walk, WORKFLOW[action], "token")


def test_session_writes_need_csrf_but_token_writes_do_not(walk):
    """A browser session must carry the CSRF token; a script with a token needs none, even if it also holds a
    session cookie (the token decides)."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(walk.users["filler_a"])
    call = RULES[("post", "/api/values")]
    body = call.body(walk)
    refused = client.post("/api/values", body, content_type="application/json")
    assert refused.status_code == 403 and not AuditEvent.objects.filter(action__contains="value").exists()
    token = {"HTTP_AUTHORIZATION": f"Bearer {walk.tokens['filler_a']}"}
    assert client.post("/api/values", body, content_type="application/json", **token).status_code == 200
