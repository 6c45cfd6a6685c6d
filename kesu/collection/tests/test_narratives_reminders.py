from datetime import date, timedelta

import pytest
from django.core import mail

from kesu.collection import services
from kesu.collection.models import Narrative, ReminderLog
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.plans.models import Framework, Plan, Task

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(world):
    fw = Framework.objects.create(code="kxsz-2021", name="纲要", start_year=2021, end_year=2035)
    plan = Plan.objects.create(region=world.county, framework=fw, title="渠县实施方案", start_year=2021, end_year=2025)
    return Task.objects.create(plan=plan, number="1", title="实施青少年科学素质提升行动")


def test_narrative_save_version_and_audit(world, task):
    n = services.narrative_save(actor=world.filler, task=task, region=world.county, unit=world.edu, period=YEAR,
                                texts={"progress": "开展科技节。\r\n\r\n举办讲座 12 场。  ", "problems": "经费不足"},
                                expected_version=0)
    assert n.progress == "开展科技节。\n\n举办讲座 12 场。" and n.version == 1
    services.narrative_save(actor=world.office, task=task, region=world.county, unit=world.edu, period=YEAR,
                            texts={"results": "覆盖 3 万人次"}, expected_version=1)
    with pytest.raises(ApplicationError, match="county_office"):
        services.narrative_save(actor=world.filler, task=task, region=world.county, unit=world.edu, period=YEAR,
                                texts={"results": "别的"}, expected_version=1)
    assert Narrative.objects.get().results == "覆盖 3 万人次"
    assert AuditEvent.objects.filter(object_type="collection.narrative").count() == 2


def test_narrative_locked_after_submit(world, task):
    sub = services.submission_for(data_set=world.ds, period=YEAR, region=world.county, unit=world.edu)
    services.submission_submit(actor=world.filler, submission=sub)
    with pytest.raises(ApplicationError, match="已提交"):
        services.narrative_save(actor=world.filler, task=task, region=world.county, unit=world.edu, period=YEAR,
                                texts={"progress": "x"})


def test_reminders_idempotent_per_day(world):
    due = date(int(YEAR), 12, 31) + timedelta(days=world.ds.due_days)
    first = services.send_reminders(on=due - timedelta(days=2))
    # 2 units + county own return + 2 townships
    assert first.sent == 5
    assert len(mail.outbox) == 2  # only the edu filler and the county office have e-mail addresses
    assert "即将截止" in mail.outbox[0].subject
    again = services.send_reminders(on=due - timedelta(days=2))
    assert again.sent == 0 and again.skipped == 5 and len(mail.outbox) == 2
    late = services.send_reminders(on=due + timedelta(days=1))
    assert late.sent == 5 and "已逾期" in mail.outbox[-1].subject
    assert ReminderLog.objects.count() == 10
    assert services.send_reminders(on=date(int(YEAR), 6, 1)).sent == 0
