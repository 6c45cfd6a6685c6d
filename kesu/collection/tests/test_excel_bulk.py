"""The bulk write path behind the Excel import: re-imports that change some rows, many rows at once, and a background
commit that checks against the data as it is when the user confirms."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from kesu.collection.excel import testing
from kesu.collection.models import Activity, IndicatorValue, Submission, SubmissionStatus
from kesu.collection.services import activity_update, bulk
from kesu.core.models import AuditEvent
from kesu.plans.models import Framework, FrameworkItem

from .conftest import YEAR
from .test_excel_import import commit, download, last_job, login, messages_of, upload

Y = int(YEAR)


@pytest.fixture(autouse=True)
def _excel_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def activity_events(activity, action="update"):
    return AuditEvent.objects.filter(object_type="collection.activity", object_id=str(activity.pk), action=action)


@pytest.mark.django_db
def test_a_reimport_that_changes_some_rows_records_old_to_new_for_exactly_those_rows(client, world):
    login(client, world.filler)
    titles = ["甲讲座", "乙讲座", "丙讲座", "丁讲座", "戊讲座"]
    rows = [testing.activity(t, f"{Y}-03-{n + 1:02d}") for n, t in enumerate(titles)]
    upload(client, world, testing.fill(download(client, world), activities=rows), name="首次.xlsx")
    commit(client, last_job())
    assert Activity.objects.count() == 5
    # A 纲要条目 set in the form: the sheet has no such column, so the import must keep it.
    framework = Framework.objects.create(code="F2021", name="纲要", start_year=2021, end_year=2035)
    item = FrameworkItem.objects.create(framework=framework, code="1", kind="action", name="青少年科学素质提升行动")
    third = Activity.objects.get(title="丙讲座")
    activity_update(actor=world.filler, activity=third, data={"framework_item": item}, expected_version=1)

    # The new download is pre-filled in date order (rows 2–6); the filler edits rows 3, 4 and 5 only.
    content = testing.fill(download(client, world), start_row=3, activities=[
        testing.activity("乙讲座", f"{Y}-03-02", 参加人次=120),
        testing.activity("丙讲座", f"{Y}-03-03", **{"期（场）次": 3}),
        testing.activity("丁讲座", f"{Y}-03-04", 举办地="天星街道"),
    ])
    upload(client, world, content, name="改三行.xlsx")
    job = last_job()
    assert job.summary["活动"] == {"rows": 5, "created": 0, "updated": 3, "unchanged": 2}, messages_of(job)
    commit(client, job)
    job.refresh_from_db()
    assert job.status == "done", messages_of(job)

    by_title = {a.title: a for a in Activity.objects.select_related("region", "framework_item")}
    excel_updates = AuditEvent.objects.filter(object_type="collection.activity", action="update",
                                              source__startswith="Excel:改三行.xlsx")
    assert {(e.object_id, e.source): e.changes for e in excel_updates} == {
        (str(by_title["乙讲座"].pk), "Excel:改三行.xlsx:第3行"): {"participants": [50, 120]},
        (str(by_title["丙讲座"].pk), "Excel:改三行.xlsx:第4行"): {"sessions": [1, 3]},
        (str(by_title["丁讲座"].pk), "Excel:改三行.xlsx:第5行"): {"region": ["渠县", "天星街道"]},
    }
    assert by_title["乙讲座"].participants == 120 and by_title["乙讲座"].source == "Excel:改三行.xlsx:第3行"
    assert by_title["丙讲座"].sessions == 3 and by_title["丙讲座"].framework_item == item
    assert by_title["丁讲座"].region == world.town2
    assert {t: a.version for t, a in by_title.items()} == {"甲讲座": 1, "乙讲座": 2, "丙讲座": 3, "丁讲座": 2, "戊讲座": 1}
    for title in ("甲讲座", "戊讲座"):  # untouched rows: still the first upload's source, no update event
        assert by_title[title].source.startswith("Excel:首次.xlsx") and not activity_events(by_title[title]).exists()
    # The history of a changed activity reads: created from the first file, then changed from the second.
    history = list(AuditEvent.objects.filter(object_type="collection.activity", object_id=str(by_title["乙讲座"].pk))
                   .order_by("id").values_list("action", "source"))
    assert history == [("create", "Excel:首次.xlsx:第3行"), ("update", "Excel:改三行.xlsx:第3行")]


def _rows(count, name, participants=lambda i: 20 + i % 50):
    start = date(Y, 1, 1)
    return [bulk.ActivityRow(row=i + 2, source=f"Excel:{name}:第{i + 2}行", data={
        "title": f"批量活动{i:05d}", "kind": "training", "population": "farmer",
        "start_date": start + timedelta(days=i % 365), "end_date": None, "region": None,
        "sessions": 1, "participants": participants(i), "people": None, "materials": 0, "funds": Decimal("100.00"),
        "place": "", "notes": "", "task": None}) for i in range(count)]


@pytest.mark.django_db
def test_thousands_of_rows_each_get_their_own_audit_event_and_a_second_pass_updates_only_the_changed(world):
    count = 2500  # more rows than one INSERT statement carries on SQLite
    result = bulk.activity_bulk_upsert(actor=world.filler, unit=world.edu, rows=_rows(count, "大表.xlsx"))
    assert (result.created, result.updated, result.unchanged, result.errors) == (count, 0, 0, [])
    activities = {str(a.pk): a for a in Activity.objects.filter(unit=world.edu)}
    events = AuditEvent.objects.filter(object_type="collection.activity", action="create")
    assert len(activities) == count and events.count() == count
    for event in events:  # each event names its own activity: title, row and place are the activity's
        activity = activities[event.object_id]
        assert event.changes["title"] == [None, activity.title]
        assert event.source == activity.source == f"Excel:大表.xlsx:第{int(activity.title[4:]) + 2}行"
        assert event.object_repr == f"渠县教育局 {activity.start_date:%Y-%m-%d} {activity.title}"
        assert event.region_path == world.county.path and event.actor_id == world.filler.pk

    # The same rows again, with every 7th row's 参加人次 raised by one.
    again = _rows(count, "再传.xlsx", participants=lambda i: 20 + i % 50 + (1 if i % 7 == 0 else 0))
    result = bulk.activity_bulk_upsert(actor=world.filler, unit=world.edu, rows=again)
    changed = len(range(0, count, 7))
    assert (result.created, result.updated, result.unchanged) == (0, changed, count - changed)
    updates = AuditEvent.objects.filter(object_type="collection.activity", action="update")
    assert updates.count() == changed
    for event in updates:
        activity = Activity.objects.get(pk=event.object_id)
        i = int(activity.title[4:])
        assert i % 7 == 0 and event.changes == {"participants": [20 + i % 50, 21 + i % 50]}
        assert event.source == activity.source == f"Excel:再传.xlsx:第{i + 2}行" and activity.version == 2
    assert Activity.objects.filter(version=1, source__startswith="Excel:大表.xlsx").count() == count - changed


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_and_a_problem_in_any_row_writes_no_row(world):
    rows = _rows(30, "检查.xlsx")
    result = bulk.activity_bulk_upsert(actor=world.filler, unit=world.edu, rows=rows, dry_run=True)
    assert result.created == 30 and not Activity.objects.exists() and not AuditEvent.objects.exists()
    rows[17].data["end_date"] = rows[17].data["start_date"] - timedelta(days=1)
    result = bulk.activity_bulk_upsert(actor=world.filler, unit=world.edu, rows=rows)
    assert [(e.row, e.field) for e in result.errors] == [(19, "end_date")]
    assert "结束日期不能早于开始日期" in result.errors[0].message
    assert not Activity.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_background_commit_checks_again_and_refuses_a_return_approved_since_the_preview(
        client, world, settings, django_capture_on_commit_callbacks):
    settings.KESU_EXCEL_SYNC_BYTES = 1  # every file is a background job
    login(client, world.filler)
    content = testing.fill(download(client, world), activities=[testing.activity("农技培训", f"{Y}-04-01")])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, content)
    job = last_job()
    assert job.background and job.status == "ready", messages_of(job)
    Submission.objects.create(data_set=world.ds, period_id=YEAR, region=world.county, unit=world.edu,
                              period_start=date(Y, 1, 1), period_end=date(Y, 12, 31),
                              status=SubmissionStatus.APPROVED)
    commit(client, job)
    job.refresh_from_db()
    assert job.status == "invalid"
    assert "已审核" in messages_of(job) and "已锁定" in messages_of(job)
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_a_reimport_of_figures_records_old_to_new_for_the_changed_figure_only(client, world):
    login(client, world.filler)
    upload(client, world, testing.fill(download(client, world), values={"HR_FULL": 12, "FUND_RAISED": 3}),
           name="数值.xlsx")
    commit(client, last_job())
    created = AuditEvent.objects.filter(object_type="collection.indicatorvalue", action="create")
    assert sorted(e.changes["value"][1] for e in created) == ["12.0000", "3.0000"]
    assert {e.source for e in created} <= {f"Excel:数值.xlsx:第{n}行" for n in range(2, 10)}

    # The download is pre-filled with both figures; only 科普专职人员 changes.
    upload(client, world, testing.fill(download(client, world), values={"HR_FULL": 15}), name="改数值.xlsx")
    job = last_job()
    assert job.summary["指标数据"]["updated"] == 1 and job.summary["指标数据"]["unchanged"] == 1, messages_of(job)
    commit(client, job)
    updates = list(AuditEvent.objects.filter(object_type="collection.indicatorvalue", action="update"))
    assert [(e.changes, e.source.startswith("Excel:改数值.xlsx:第")) for e in updates] == [
        ({"value": ["12.0000", "15.0000"]}, True)]
    value = IndicatorValue.objects.get(indicator=world.ind["HR_FULL"], unit=world.edu)
    assert value.value == 15 and value.version == 2 and value.source == updates[0].source
    assert str(value.pk) == updates[0].object_id
    assert IndicatorValue.objects.get(indicator=world.ind["FUND_RAISED"], unit=world.edu).version == 1
    # The first figure entered moved the unit's return to 填报中.
    assert Submission.objects.get(unit=world.edu, period_id=YEAR).status == SubmissionStatus.DRAFT
