"""Access rules of the collection URLs for the project-wide URL walk (tests/test_url_walk.py).

Each rule is (a function building the URL from the walk's objects, roles that get 200 on GET or None for POST-only
pages, roles that may POST). The objects a URL needs (a data set, a return, an activity of unit A) are made here.
"""

from datetime import date

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from kesu.collection.models import Activity, ActivityAttachment, DataSet, Submission
from kesu.plans.models import Indicator

SIGNED_IN = {"filler_a", "filler_b", "office_x", "office_y", "office_p", "viewer_x", "admin"}
OFFICES = {"office_x", "office_y", "office_p", "admin"}
READERS = {"office_x", "office_y", "office_p", "viewer_x", "admin"}
UNIT_A = {"filler_a", "office_x", "office_p", "admin"}  # who reads and writes unit A's drafts
REVIEW_X = {"office_x", "office_p", "admin"}            # who reviews returns of county X's units


def _objects(o: dict) -> dict:
    year = timezone.localdate().year
    ds, _ = DataSet.objects.get_or_create(region=o["county_x"], code="WALK",
                                          defaults={"name": "年度统计", "period_type": "Y", "lowest_level": 4})
    indicator = Indicator.objects.order_by("pk").first()
    ds.indicators.add(indicator)
    sub, _ = Submission.objects.get_or_create(data_set=ds, period_id=str(year), region=o["county_x"], unit=o["unit_a"],
                                              defaults={"period_start": date(year, 1, 1),
                                                        "period_end": date(year, 12, 31)})
    activity, _ = Activity.objects.get_or_create(
        unit=o["unit_a"], title="科普讲座", start_date=date(year, 5, 1),
        defaults={"region": o["county_x"], "kind": "lecture", "end_date": date(year, 5, 1)})
    attachment = activity.attachments.first()
    if attachment is None:
        attachment = ActivityAttachment(activity=activity, original_name="现场照片.png", content_type="image/png",
                                        size=8)
        attachment.file.save("photo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
        attachment.save()
    reporter = [ds.pk, str(year), o["county_x"].pk, o["unit_a"].pk]
    return {"reporter": reporter, "indicator": indicator, "sub": sub, "activity": activity, "year": str(year),
            "attachment": attachment}


def _u(name, build):
    return lambda o: reverse(f"collection:{name}", args=build(_objects(o), o))


RULES = {
    "collection:home": (None, SIGNED_IN, set()),
    "collection:review": (None, OFFICES, set()),
    "collection:review_approve": (None, None, OFFICES),
    "collection:completeness": (None, READERS, set()),
    "collection:violations": (None, SIGNED_IN - {"viewer_x"}, set()),
    "collection:audit_log": (None, OFFICES, set()),  # read-only: no role may change an audit event through it
    "collection:rules": (None, OFFICES, OFFICES),
    "collection:activity_list": (None, SIGNED_IN, set()),
    "collection:activity_create": (None, {"filler_a", "filler_b"}, {"filler_a", "filler_b"}),
    "collection:grid": (_u("grid", lambda c, o: c["reporter"]), UNIT_A, set()),
    "collection:cell_save": (_u("cell_save", lambda c, o: [*c["reporter"], c["indicator"].pk]), None, UNIT_A),
    "collection:value_history": (_u("value_history", lambda c, o: [*c["reporter"], c["indicator"].pk]), UNIT_A,
                                 set()),
    "collection:activity_edit": (_u("activity_edit", lambda c, o: [c["activity"].pk]), UNIT_A, UNIT_A),
    "collection:attachment_upload": (_u("attachment_upload", lambda c, o: [c["activity"].pk]), None, UNIT_A),
    "collection:attachment_download": (_u("attachment_download", lambda c, o: [c["attachment"].pk]), UNIT_A, set()),
    "collection:activity_delete": (_u("activity_delete", lambda c, o: [c["activity"].pk]), None, UNIT_A),
    "collection:narratives": (_u("narratives", lambda c, o: [c["year"], o["county_x"].pk, o["unit_a"].pk]), UNIT_A,
                              UNIT_A),
    "collection:submission": (_u("submission", lambda c, o: [c["sub"].pk]), UNIT_A, set()),
    "collection:submission_action": (_u("submission_action", lambda c, o: [c["sub"].pk, "approve"]), None, REVIEW_X),
    "collection:submission_reopen": (_u("submission_reopen", lambda c, o: [c["sub"].pk]), None, REVIEW_X),
}


def _import_job(o: dict):
    """An uploaded workbook of unit A waiting in the preview, owned by filler A."""
    from kesu.accounts.models import User
    from kesu.collection.models import ExcelImport

    year = _objects(o)["year"]
    return ExcelImport.objects.get_or_create(
        user=User.objects.get(username="filler_a"), region=o["county_x"], unit=o["unit_a"], period_id=year,
        defaults={"original_name": "上传.xlsx", "size": 1, "status": "ready", "file": "imports/none.xlsx"})[0]


def _x(name, build):
    return lambda o: reverse(f"collection:{name}", args=build(o))


RULES.update({
    "collection:excel_start": (None, OFFICES, set()),  # a filler is sent straight to its own unit's upload page
    "collection:excel_template": (_x("excel_template", lambda o: [_objects(o)["year"], o["county_x"].pk,
                                                                  o["unit_a"].pk]), UNIT_A, set()),
    "collection:excel_upload": (_x("excel_upload", lambda o: [_objects(o)["year"], o["county_x"].pk, o["unit_a"].pk]),
                                UNIT_A, UNIT_A),
    "collection:excel_preview": (_x("excel_preview", lambda o: [_import_job(o).pk]), UNIT_A, set()),
    "collection:excel_commit": (_x("excel_commit", lambda o: [_import_job(o).pk]), None, {"filler_a"}),  # the uploader
    "collection:excel_retry": (_x("excel_retry", lambda o: [_import_job(o).pk]), None, {"filler_a"}),  # the uploader
    "collection:excel_job": (_x("excel_job", lambda o: [_import_job(o).pk]), UNIT_A, set()),
    "collection:excel_problems": (_x("excel_problems", lambda o: [_import_job(o).pk]), UNIT_A, set()),
})
