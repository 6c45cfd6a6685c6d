"""Every collection URL: login required; a filler never reaches another unit's data."""

import pytest
from django.urls import reverse

from kesu.collection import services
from kesu.collection.urls import urlpatterns

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def _urls(w, unit, activity, sub, attachment):
    reporter = [w.ds.pk, YEAR, w.county.pk, unit.pk]
    args = {
        "home": [], "review": [], "completeness": [], "violations": [], "rules": [], "activity_list": [],
        "activity_create": [], "audit_log": [], "review_approve": [],
        "grid": reporter, "cell_save": [*reporter, w.ind["HR_FULL"].pk],
        "value_history": [*reporter, w.ind["HR_FULL"].pk],
        "activity_edit": [activity.pk], "attachment_upload": [activity.pk], "activity_delete": [activity.pk],
        "attachment_download": [attachment.pk],
        "narratives": [YEAR, w.county.pk, unit.pk],
        "submission": [sub.pk], "submission_action": [sub.pk, "approve"], "submission_reopen": [sub.pk],
        # The Excel import (kesu/collection/excel/urls.py).
        "excel_start": [], "excel_template": [YEAR, w.county.pk, unit.pk], "excel_upload": [YEAR, w.county.pk, unit.pk],
        **{name: [_import_job(w, unit).pk] for name in ("excel_preview", "excel_commit", "excel_retry",
                                                            "excel_job", "excel_problems")},
    }
    names = {p.name for p in urlpatterns}
    assert names == set(args), "a new URL needs a scope check here"
    return {name: reverse(f"collection:{name}", args=a) for name, a in args.items()}


def _import_job(w, unit):
    from kesu.collection.models import ExcelImport

    user = w.filler2 if unit == w.agri else w.filler
    return ExcelImport.objects.get_or_create(user=user, region=w.county, unit=unit, period_id=YEAR, defaults={
        "original_name": "上传.xlsx", "size": 1, "status": "ready", "file": "imports/none.xlsx"})[0]


@pytest.fixture
def other_unit_objects(world, settings, tmp_path):
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    activity = services.activity_create(actor=world.filler2, unit=world.agri, data={
        "kind": "lecture", "title": "讲座", "start_date": date(int(YEAR), 5, 1), "population": "farmer"})
    attachment = services.attachment_add(actor=world.filler2, activity=activity, uploaded_file=SimpleUploadedFile(
        "通知.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
    sub = services.submission_for(data_set=world.ds, period=YEAR, region=world.county, unit=world.agri)
    return activity, sub, attachment


def test_anonymous_is_sent_to_login(client, world, other_unit_objects):
    for name, url in _urls(world, world.agri, *other_unit_objects).items():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


UNIT_SCOPED = {"grid", "cell_save", "value_history", "activity_edit", "attachment_upload", "attachment_download",
               "activity_delete",
               "narratives", "submission", "submission_action", "submission_reopen",
               "excel_template", "excel_upload", "excel_preview", "excel_commit", "excel_retry", "excel_job"}
OFFICE_ONLY = {"review", "completeness", "rules", "audit_log"}


def test_filler_cannot_reach_other_unit_or_office_pages(client, world, other_unit_objects):
    client.force_login(world.filler)
    for name, url in _urls(world, world.agri, *other_unit_objects).items():
        if name in UNIT_SCOPED:
            assert client.post(url).status_code in (403, 404, 405), name
            assert client.get(url).status_code in (403, 404, 405), name
        elif name in OFFICE_ONLY:
            assert client.get(url).status_code == 403, name
    other_unit_objects[1].refresh_from_db()
    assert other_unit_objects[1].status == "empty"


def test_office_of_other_region_sees_nothing(client, world, other_unit_objects):
    client.force_login(world.town_office)  # a township office: the county's units are outside its subtree
    for name, url in _urls(world, world.agri, *other_unit_objects).items():
        if name in UNIT_SCOPED:
            assert client.get(url).status_code in (403, 404, 405), name
