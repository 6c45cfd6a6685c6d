"""催报: e-mail reminders before and after a due date, at most one per return, kind and day."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from kesu.accounts.models import Role, User

from ..models import EDITABLE_STATUSES, DataSet, ReminderLog, Submission
from ..reporting import all_reporters, recent_periods, window
from .common import today as local_today

DAYS_BEFORE = 3


@dataclass
class ReminderResult:
    sent: int = 0
    skipped: int = 0


def recipients_for(region, unit) -> list[User]:
    users = User.objects.filter(is_active=True)
    if unit is not None:
        return list(users.filter(role=Role.FILLER, unit=unit))
    return list(users.filter(role=Role.OFFICE, region=region))


def reminder_kind(due: date, closes: date, on: date) -> str | None:
    if 0 <= (due - on).days <= DAYS_BEFORE:
        return "before"
    if due < on <= closes:
        return "overdue"
    return None


def send_reminders(*, on: date | None = None) -> ReminderResult:
    """Send what is due today. Running it again the same day sends nothing new (``ReminderLog`` is unique per day)."""
    on = on or local_today()
    result = ReminderResult()
    for ds in DataSet.objects.filter(is_active=True).select_related("region").prefetch_related("units"):
        for period in recent_periods(ds, on):
            w = window(ds, period)
            kind = reminder_kind(w.due, w.closes, on)
            if kind is None:
                continue
            subs = Submission.objects.filter(data_set=ds, period_id=period.id)
            statuses = {(s.region_id, s.unit_id): s for s in subs}
            for reporter in all_reporters(ds):
                sub = statuses.get(reporter.key)
                if sub is not None and sub.status not in EDITABLE_STATUSES:
                    continue
                with transaction.atomic():
                    if sub is None:
                        sub, _ = Submission.objects.get_or_create(
                            data_set=ds, period_id=period.id, region=reporter.region, unit=reporter.unit,
                            defaults={"period_start": period.start, "period_end": period.end})
                    users = recipients_for(reporter.region, reporter.unit)
                    emails = [u.email for u in users if u.email]
                    log, created = ReminderLog.objects.get_or_create(
                        submission=sub, kind=kind, sent_on=on, defaults={"recipients": ",".join(emails)})
                    if not created:
                        result.skipped += 1
                        continue
                    if emails:
                        send_mail(_subject(ds, period, kind), _body(reporter.name, ds, period, w, kind),
                                  settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True)
                    result.sent += 1
    return result


def _subject(ds, period, kind) -> str:
    return f"【催报】{ds.name}（{period.label}）" + ("即将截止" if kind == "before" else "已逾期")


def _body(name, ds, period, w, kind) -> str:
    state = f"将于 {w.due:%Y年%m月%d日} 截止" if kind == "before" else f"已于 {w.due:%Y年%m月%d日} 截止，目前尚未提交"
    return (f"{name}：\n\n{ds.name}（{period.label}）{state}。请登录科素系统完成填报并提交；"
            f"{w.closes:%Y年%m月%d日} 后数据将锁定。\n\n{ds.region.name}全民科学素质工作办公室")
