"""The audit page: an office reads who changed what in its region subtree, filters by period, user, entity and
region, and exports the same list to CSV and XLSX with formula-like text neutralised. Audit events cannot be
changed or deleted through the admin, the pages or the API."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kesu.accounts.models import Role
from kesu.core import audit
from kesu.core.models import AuditEvent
from kesu.regions.models import Level

from .conftest import make_region, make_user

pytestmark = pytest.mark.django_db
URL = "/collection/audit/"


@pytest.fixture
def events(world):
    w = world
    w.county2 = make_region("511724", "大竹县", Level.COUNTY, w.city)
    w.office2 = make_user("dazhu_office", Role.OFFICE, region=w.county2)
    w.admin = make_user("admin", Role.ADMIN)
    w.e_value = audit.record(actor=w.filler, action="update", object_type="collection.indicatorvalue", object_id=1,
                             object_repr="渠县教育局 2026年 科普专职人员", changes={"value": ["3", "5"]},
                             reason="=HYPERLINK(\"http://evil.example\",\"点此\")", source="表单",
                             region_path=w.county.path)
    w.e_activity = audit.record(actor=w.office, action="create", object_type="collection.activity", object_id=7,
                                object_repr="科普讲座", changes={"title": [None, "科普讲座"]}, source="表单",
                                region_path=w.town1.path)
    w.e_other = audit.record(actor=w.office2, action="update", object_type="collection.indicatorvalue", object_id=2,
                             object_repr="大竹县 2026年 科普专职人员", changes={"value": ["1", "2"]},
                             region_path=w.county2.path)
    w.e_old = audit.record(actor=w.filler, action="update", object_type="collection.indicatorvalue", object_id=3,
                           object_repr="渠县教育局 2025年 科普专职人员", region_path=w.county.path)
    AuditEvent.objects.filter(pk=w.e_old.pk).update(at=timezone.now() - timedelta(days=400))
    return w


def _reprs(response):
    return {e.object_repr for e, *_ in response.context["rows"]}


def test_an_office_reads_its_subtree_only(client, events):
    client.force_login(events.office)
    response = client.get(URL)
    assert response.status_code == 200
    assert _reprs(response) == {"渠县教育局 2026年 科普专职人员", "科普讲座", "渠县教育局 2025年 科普专职人员"}
    assert "大竹县" not in response.content.decode().split("<tbody>")[1]
    client.force_login(events.office2)
    assert _reprs(client.get(URL)) == {"大竹县 2026年 科普专职人员"}
    client.force_login(events.city_office)
    assert len(_reprs(client.get(URL))) == 4


@pytest.mark.parametrize("who", ["filler", "viewer"])
def test_fillers_and_viewers_may_not_read_the_log(client, events, who):
    client.force_login(getattr(events, who))
    assert client.get(URL).status_code == 403


def test_filters_by_period_user_entity_and_region(client, events):
    client.force_login(events.city_office)
    today = timezone.localdate()
    recent = client.get(URL, {"from": str(today - timedelta(days=30)), "to": str(today)})
    assert "渠县教育局 2025年 科普专职人员" not in _reprs(recent) and len(_reprs(recent)) == 3
    assert _reprs(client.get(URL, {"actor": "county_office"})) == {"科普讲座"}
    assert _reprs(client.get(URL, {"entity": "collection.activity"})) == {"科普讲座"}
    assert _reprs(client.get(URL, {"region": events.county2.path})) == {"大竹县 2026年 科普专职人员"}
    bad = client.get(URL, {"from": "2026-13-01"}, follow=True)
    assert "开始日期“2026-13-01”不是有效日期" in bad.content.decode()


def test_csv_and_xlsx_exports_neutralise_formulas(client, events):
    client.force_login(events.office)
    response = client.get(URL, {"format": "csv", "entity": "collection.indicatorvalue"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "操作人", "动作"] and {r[2] for r in rows[1:]} == {"修改"}
    reasons = {r[4]: r[6] for r in rows[1:]}
    assert reasons["渠县教育局 2026年 科普专职人员"] == "'=HYPERLINK(\"http://evil.example\",\"点此\")"
    assert "数值: 3 → 5" in {r[4]: r[5] for r in rows[1:]}["渠县教育局 2026年 科普专职人员"]
    assert "大竹县 2026年 科普专职人员" not in reasons
    book = load_workbook(io.BytesIO(client.get(URL, {"format": "xlsx"}).content))
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"], "no cell of the export is a formula"
    assert "'=HYPERLINK(\"http://evil.example\",\"点此\")" in {c.value for c in cells}


def test_admin_lists_events_but_cannot_change_or_delete_them(client, events):
    admin = events.admin
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client.force_login(admin)
    pk = events.e_value.pk
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    assert client.post(f"/admin/core/auditevent/{pk}/change/", {"reason": "改掉"}).status_code == 403
    assert client.post(f"/admin/core/auditevent/{pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post("/admin/core/auditevent/", {"action": "delete_selected", "_selected_action": [pk],
                                                   "post": "yes"})
    assert bulk.status_code in (200, 302)
    event = AuditEvent.objects.get(pk=pk)
    assert event.reason.startswith("=HYPERLINK") and AuditEvent.objects.count() == 4


def test_the_page_and_the_api_offer_no_way_to_change_an_event(client, events):
    client.force_login(events.admin)
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(URL).status_code == 405
    spec = client.get("/api/openapi.json").json()
    assert not [p for p in spec["paths"] if "audit" in p.lower()]
    assert AuditEvent.objects.count() == 4
