"""The batch services: approving and accepting several returns at once, a unit's narratives saved together, and the
submit's one read of the figures for both of its checks. Each answers as the single service does, row for row; a
refusal names its return or task and leaves nothing written."""

from decimal import Decimal

import pytest

from kesu.collection import services
from kesu.collection.models import IndicatorValue, Narrative, Submission, SubmissionEvent, ValidationRule
from kesu.collection.models import SubmissionStatus as S
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.plans.models import Framework, Plan, Task

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def submitted(w, region, unit, actor):
    sub = services.submission_for(data_set=w.ds, period=YEAR, region=region, unit=unit)
    return services.submission_submit(actor=actor, submission=sub)


def four_returns(w):
    return [submitted(w, w.county, w.edu, w.filler), submitted(w, w.county, w.agri, w.filler2),
            submitted(w, w.town1, None, w.office), submitted(w, w.town2, None, w.office)]


def test_approve_and_accept_all_write_one_event_and_audit_each(world, django_assert_max_num_queries):
    subs = four_returns(world)
    # One lock read, one update, one insert of events, one of audit events for the four returns; the rest is the
    # reviewer's checks of the townships' returns and the roll-up, refreshed once per region for the batch
    # (one return alone costs 21).
    with django_assert_max_num_queries(46):
        approved = services.submission_approve_all(actor=world.office, submissions=subs, reason="批量")
    with django_assert_max_num_queries(6):  # savepoint, lock read, update, two inserts, release
        services.submission_accept_all(actor=world.office, submissions=approved)
    for sub in Submission.objects.filter(pk__in=[s.pk for s in subs]):
        assert sub.status == S.ACCEPTED and sub.reviewed_by == world.office and sub.accepted_at is not None
        assert list(SubmissionEvent.objects.filter(submission=sub).order_by("pk").values_list(
            "action", "from_status", "to_status")) == [("submit", S.EMPTY, S.SUBMITTED),
                                                       ("approve", S.SUBMITTED, S.APPROVED),
                                                       ("accept", S.APPROVED, S.ACCEPTED)]
        audits = AuditEvent.objects.filter(object_type="collection.submission", object_id=str(sub.pk))
        assert list(audits.order_by("pk").values_list("action", flat=True)) == ["submit", "approve", "accept"]
        assert audits.get(action="approve").changes == {"status": ["已提交", "已审核"]}
        assert audits.get(action="approve").reason == "批量"
    # With the children approved, the county's own return may be approved in a later batch (by the city).
    county = submitted(world, world.county, None, world.office)
    [county] = services.submission_approve_all(actor=world.city_office, submissions=[county])
    assert county.status == S.APPROVED


def test_approve_all_refuses_the_whole_batch_naming_the_return(world):
    subs = [submitted(world, world.county, world.edu, world.filler), submitted(world, world.town1, None, world.office),
            submitted(world, world.town2, None, world.office)]
    draft = services.submission_for(data_set=world.ds, period=YEAR, region=world.county, unit=world.agri)
    with pytest.raises(ApplicationError, match="农业农村局.*当前为“未填报”，只有已提交的填报可以审核通过") as exc:
        services.submission_approve_all(actor=world.office, submissions=[*subs[:2], draft, *subs[2:]])
    assert exc.value.field == "status"
    assert set(Submission.objects.filter(pk__in=[s.pk for s in subs]).values_list("status", flat=True)) == {S.SUBMITTED}
    assert not SubmissionEvent.objects.filter(action="approve").exists()
    assert not AuditEvent.objects.filter(action="approve").exists()
    with pytest.raises(ApplicationError, match="出现了两次"):
        services.submission_approve_all(actor=world.office, submissions=[subs[0], subs[0]])
    with pytest.raises(ApplicationError, match="只有已审核的填报可以接收"):
        services.submission_accept_all(actor=world.office, submissions=subs)
    assert not SubmissionEvent.objects.filter(action__in=["approve", "accept"]).exists()


@pytest.fixture
def tasks(world):
    fw = Framework.objects.create(code="kxsz-2021", name="纲要", start_year=2021, end_year=2035)
    plan = Plan.objects.create(region=world.county, framework=fw, title="渠县实施方案", start_year=2021, end_year=2025)
    return [Task.objects.create(plan=plan, number=str(n), title=title, sort=n) for n, title in
            enumerate(["实施青少年科学素质提升行动", "实施农民科学素质提升行动", "实施老年人科学素质提升行动"], start=1)]


def save_all(w, rows, **kwargs):
    return services.narrative_bulk_save(actor=w.filler, region=w.county, unit=w.edu, period=YEAR, rows=rows,
                                        **kwargs)


def test_narrative_bulk_save_writes_each_row_as_a_single_save_would(world, tasks, django_assert_max_num_queries):
    services.narrative_save(actor=world.filler, task=tasks[0], region=world.county, unit=world.edu, period=YEAR,
                            texts={"progress": "开展科技节。"})
    rows = [services.NarrativeText(task=tasks[0], texts={"results": "覆盖 3 万人次  "}, expected_version=1),
            services.NarrativeText(task=tasks[1], texts={"progress": "举办培训 12 期。\r\n"}),
            services.NarrativeText(task=tasks[2], texts={"progress": "开展智慧助老讲座。", "problems": "经费不足"})]
    # The returns' lock, the stored rows, one update, one insert of new rows, one of audit events (+ savepoint).
    with django_assert_max_num_queries(9):
        saved = save_all(world, rows, source="演示数据")
    assert [n.task_id for n in saved] == [t.pk for t in tasks]
    first, second, third = (Narrative.objects.get(task=t) for t in tasks)
    assert (first.progress, first.results, first.version) == ("开展科技节。", "覆盖 3 万人次", 2)
    assert (second.progress, second.version, second.source) == ("举办培训 12 期。", 1, "演示数据")
    assert third.problems == "经费不足" and third.updated_by == world.filler
    events = AuditEvent.objects.filter(object_type="collection.narrative").order_by("pk")
    assert [(e.action, e.object_id) for e in events] == [("create", str(first.pk)), ("update", str(first.pk)),
                                                         ("create", str(second.pk)), ("create", str(third.pk))]
    assert events[3].object_repr == f"渠县教育局 {YEAR}年 {tasks[2]}"
    assert events[3].changes["problems"] == [None, "经费不足"]
    # The same texts again change nothing and record nothing.
    save_all(world, rows[1:])
    assert AuditEvent.objects.filter(object_type="collection.narrative").count() == 4


def test_narrative_bulk_save_refuses_the_batch_naming_the_task(world, tasks):
    too_long = services.NarrativeText(task=tasks[2], texts={"results": "字" * 5001})
    fine = services.NarrativeText(task=tasks[0], texts={"progress": "开展科技节。"})
    with pytest.raises(ApplicationError, match="“3 实施老年人科学素质提升行动”的主要成效超过 5000 字") as exc:
        save_all(world, [fine, too_long])
    assert exc.value.field == "results" and exc.value.extra["task"] == tasks[2].pk
    with pytest.raises(ApplicationError, match="出现了两次"):
        save_all(world, [fine, services.NarrativeText(task=tasks[0], texts={"results": "x"})])
    stale = services.NarrativeText(task=tasks[1], texts={"progress": "x"}, expected_version=3)
    with pytest.raises(ApplicationError, match="已被其他人修改") as exc:
        save_all(world, [fine, stale])
    assert exc.value.field == "version"
    assert not Narrative.objects.exists() and not AuditEvent.objects.filter(object_type="collection.narrative").exists()


def test_submit_reads_the_figures_once_and_checks_as_before(world, django_assert_max_num_queries):
    """The rule check and the outlier check of a submit share one read; each still refuses what it refused."""
    hr = world.ind["HR_FULL"]
    services.value_save(actor=world.office, indicator=hr, region=world.town1, unit=None, period=YEAR, value=60)
    for years_ago, value in ((4, 10), (3, 11), (2, 12), (1, 12)):  # the town's history, as loaded before
        IndicatorValue.objects.create(indicator=hr, region=world.town1, unit=None, value=value,
                                      period_id=str(int(YEAR) - years_ago))
    ValidationRule.objects.create(code="YOY_HR", name="专职人员同比", kind="yoy", indicator=hr,
                                  threshold_pct=Decimal(50), severity="warning")
    sub = services.submission_for(data_set=world.ds, period=YEAR, region=world.town1, unit=None)
    with pytest.raises(ApplicationError, match="有需说明的情况未填写说明：专职人员同比"):
        services.submission_submit(actor=world.office, submission=sub)
    read = services.submission_readings(sub)
    assert read.previous_year(world.ind["HR_FULL"].pk) == Decimal(12)
    [flagged] = [f for f in services.submission_figures(sub, read) if f.flags]
    assert flagged.indicator.code == "HR_FULL" and flagged.last_year == Decimal(12)
    assert [v.rule.code for v in services.submission_violations(sub, read)] == ["YOY_HR"]
    assert [v.message for v in services.submission_violations(sub)] == [
        v.message for v in services.submission_violations(sub, read)]
    services.value_save(actor=world.office, indicator=hr, region=world.town1, unit=None, period=YEAR, value=60,
                        explanation="新建科普馆，专职人员增加")
    with django_assert_max_num_queries(15):
        services.submission_submit(actor=world.office, submission=sub)
    assert Submission.objects.get(pk=sub.pk).status == S.SUBMITTED
