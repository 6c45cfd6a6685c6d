"""On the demo: the template of every data set, downloaded by every role that may fill it and uploaded unchanged,
is a no-op — a unit of each data set (its own 填报员, the county office, the city office) and each region's own
returns (county and township offices, the city office)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesu.accounts.models import User
from kesu.collection.models import Activity, DataSet, ExcelImport, IndicatorValue
from kesu.collection.reporting import all_reporters
from kesu.core.models import AuditEvent
from kesu.demo.builder import FOCUS_COUNTY
from kesu.regions.models import Region

YEAR = str(date.today().year)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _excel_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _cases():
    """(data set, reporter, usernames that may fill it) for one unit and one own return of each data set."""
    county = Region.objects.get(code=FOCUS_COUNTY)
    fillers = {u.unit_id: u.username for u in User.objects.filter(unit__isnull=False)}
    cases = []
    for ds in DataSet.objects.filter(is_active=True, period_type="Y").order_by("pk"):
        everyone = all_reporters(ds)
        reporters = [r for r in everyone if r.region.path.startswith(county.path)] or everyone
        unit = next((r for r in reporters if r.unit is not None and r.unit.pk in fillers), None) \
            or next((r for r in reporters if r.unit is not None), None)
        own = next((r for r in reporters if r.unit is None), None)
        if unit is not None:
            cases.append((ds, unit, [u for u in [fillers.get(unit.unit.pk), "quxian", "dazhou"] if u]))
        if own is not None:
            offices = ["dazhou"] + (["quxian"] if own.region.path.startswith(county.path) and own.region != county
                                    else [])
            cases.append((ds, own, offices))
    return cases


def _state(reporter):
    values = IndicatorValue.objects.filter(region=reporter.region, unit=reporter.unit)
    activities = Activity.objects.filter(unit=reporter.unit) if reporter.unit else Activity.objects.none()
    return (AuditEvent.objects.count(), list(values.order_by("pk").values_list("pk", "version", "value")),
            list(activities.order_by("pk").values_list("pk", "version", "task_id", "region_id")))


def test_every_data_set_round_trips_unchanged_for_every_role(demo_db, client):
    cases = _cases()
    assert len({ds.pk for ds, _, _ in cases}) == DataSet.objects.filter(is_active=True, period_type="Y").count()
    tried = 0
    for ds, reporter, usernames in cases:
        args = [YEAR, reporter.region.pk, reporter.unit.pk if reporter.unit else 0]
        for username in usernames:
            client.force_login(User.objects.get(username=username))
            content = client.get(reverse("collection:excel_template", args=args)).content
            before = _state(reporter)
            client.post(reverse("collection:excel_upload", args=args),
                        {"file": SimpleUploadedFile("原样.xlsx", content)})
            job = ExcelImport.objects.order_by("-id").first()
            where = f"{ds.name} · {reporter.name} · {username}"
            assert job.status == "ready", (where, job.problems[:3])
            assert all(c["created"] == c["updated"] == 0 for c in job.sheet_counts.values()), (where, job.summary)
            client.post(reverse("collection:excel_commit", args=[job.pk]))
            job.refresh_from_db()
            assert job.status == "done", where
            assert _state(reporter) == before, where
            tried += 1
    assert tried == sum(len(usernames) for _, _, usernames in cases) > len(cases)
