import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesu.accounts.scope import Scope
from kesu.collection import services
from kesu.collection.computed import computed_values
from kesu.collection.models import Activity, ActivityAttachment
from kesu.collection.services.activities import MAX_ATTACHMENT_BYTES
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.core.periods import Period

from .conftest import YEAR

pytestmark = pytest.mark.django_db
DAY = date(int(YEAR), 3, 15)


def data(**kw):
    base = {"kind": "training", "title": "春季农业实用技术培训", "start_date": DAY, "end_date": DAY,
            "population": "farmer", "sessions": "2", "participants": "120", "materials": "300", "funds": "5000"}
    base.update(kw)
    return base


def test_create_and_computed_indicators(activity_rules):
    w = activity_rules
    services.activity_create(actor=w.filler, unit=w.edu, data=data())
    services.activity_create(actor=w.filler, unit=w.edu, data=data(title="秋季培训", participants="80", sessions="1"))
    services.activity_create(actor=w.filler, unit=w.edu, data=data(title="青少年讲座", kind="lecture",
                                                                  population="youth", participants="999"))
    services.activity_create(actor=w.filler2, unit=w.agri, data=data(title="农技培训", participants="50"))
    period = Period.parse(YEAR)
    ids = [w.ind["TRN_FARMER_P"].pk, w.ind["TRN_FARMER_SESSIONS"].pk]
    unit_values = computed_values(ids, region=w.county, unit=w.edu, period=period)
    assert unit_values == {ids[0]: Decimal(200), ids[1]: Decimal(3)}
    region_values = computed_values(ids, region=w.county, unit=None, period=period)
    assert region_values[ids[0]] == Decimal(250)
    other_year = computed_values(ids, region=w.county, unit=w.edu, period=Period.parse(str(int(YEAR) - 1)))
    assert other_year[ids[0]] == 0


def test_negative_count_and_bad_dates_refused(world):
    with pytest.raises(ApplicationError, match="参加人次.*不能为负数"):
        services.activity_create(actor=world.filler, unit=world.edu, data=data(participants="-5"))
    with pytest.raises(ApplicationError, match="结束日期不能早于开始日期"):
        services.activity_create(actor=world.filler, unit=world.edu, data=data(end_date=date(int(YEAR), 1, 1)))
    with pytest.raises(ApplicationError, match="活动名称"):
        services.activity_create(actor=world.filler, unit=world.edu, data=data(title="  "))
    assert not Activity.objects.exists()


def test_filler_cannot_create_for_other_unit(world):
    with pytest.raises(PermissionDenied):
        services.activity_create(actor=world.filler, unit=world.agri, data=data())


def test_update_version_conflict_and_audit(world):
    a = services.activity_create(actor=world.filler, unit=world.edu, data=data())
    services.activity_update(actor=world.office, activity=a, data={"participants": "130"}, expected_version=1)
    with pytest.raises(ApplicationError) as exc:
        services.activity_update(actor=world.filler, activity=a, data={"participants": "125"}, expected_version=1)
    assert "county_office" in exc.value.message and "130" in exc.value.message
    a.refresh_from_db()
    assert a.participants == 130 and a.version == 2
    events = AuditEvent.objects.filter(object_type="collection.activity", object_id=str(a.pk)).order_by("id")
    assert events.last().changes == {"participants": [120, 130]}


def test_upsert_by_natural_and_external_key(world):
    a, created = services.activity_upsert(actor=world.filler, unit=world.edu, data=data(), source="Excel:a.xlsx:第2行")
    b, created2 = services.activity_upsert(actor=world.filler, unit=world.edu, data=data(participants="150"),
                                           source="Excel:a.xlsx:第2行")
    assert created and not created2 and a.pk == b.pk and b.participants == 150
    c, _ = services.activity_upsert(actor=world.filler, unit=world.edu, data=data(external_key="X-1", title="另一个"),
                                    source="API")
    d, created3 = services.activity_upsert(actor=world.filler, unit=world.edu,
                                           data=data(external_key="X-1", title="改了名字"), source="API")
    assert not created3 and c.pk == d.pk and d.title == "改了名字"
    assert Activity.objects.count() == 2


def test_locked_after_approval(world):
    a = services.activity_create(actor=world.filler, unit=world.edu, data=data())
    sub = services.submission_for(data_set=world.ds, period=YEAR, region=world.county, unit=world.edu)
    services.submission_submit(actor=world.filler, submission=sub)
    services.submission_approve(actor=world.office, submission=sub)
    with pytest.raises(ApplicationError, match="已锁定"):
        services.activity_update(actor=world.filler, activity=a, data={"participants": "1"}, expected_version=1)
    with pytest.raises(ApplicationError, match="已锁定"):
        services.activity_delete(actor=world.filler, activity=a)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def test_attachment_checked_by_content(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = services.activity_create(actor=world.filler, unit=world.edu, data=data())
    att = services.attachment_add(actor=world.filler, activity=a,
                                  uploaded_file=SimpleUploadedFile("现场照片.png", PNG))
    assert att.content_type == "image/png" and att.file.name.endswith(".png")
    services.attachment_add(actor=world.filler, activity=a, uploaded_file=SimpleUploadedFile("通知", PDF))
    with pytest.raises(ApplicationError, match="不是可接受的类型（可接受：PDF 文件、JPG 图片"):
        services.attachment_add(actor=world.filler, activity=a,
                                uploaded_file=SimpleUploadedFile("假的.pdf", b"MZ\x90\x00 this is an exe"))
    with pytest.raises(ApplicationError, match="过大"):
        services.attachment_add(actor=world.filler, activity=a,
                                uploaded_file=SimpleUploadedFile("大.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES))
    assert ActivityAttachment.objects.count() == 2


def test_scope_helper_sanity(world):
    assert Scope.for_user(world.filler).unit_id == world.edu.pk


def test_the_grid_shows_last_years_sum_of_an_indicator_summed_from_activities(client, activity_rules):
    w = activity_rules
    last = date(int(YEAR) - 1, 5, 10)
    services.activity_create(actor=w.filler, unit=w.edu, data=data(start_date=last, end_date=last,
                                                                   participants="75"))
    services.activity_create(actor=w.filler, unit=w.edu, data=data(participants="120"))
    client.force_login(w.filler)
    page = client.get(reverse("collection:grid", args=[w.ds.pk, YEAR, w.county.pk, w.edu.pk])).content.decode()
    row = page[page.index(f'id="cell-{w.ind["TRN_FARMER_P"].pk}"'):]
    shown = re.search(r'value="([^"]*)"', row).group(1)
    last_year = re.search(r'<td class="text-end text-muted">([^<]*)</td>', row).group(1)
    assert (shown, last_year) == ("120", "75")  # this year's sum in the cell, last year's beside it
