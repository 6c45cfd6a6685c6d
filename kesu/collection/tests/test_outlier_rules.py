"""Outlier thresholds per indicator: an indicator may carry its own jump ratio, minimum difference and z-score
thresholds or have detection switched off; an empty threshold keeps the built-in default; explain-or-fix holds."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kesu.accounts.models import Role
from kesu.collection import outliers, services
from kesu.collection.models import IndicatorValue, OutlierRule
from kesu.collection.models import SubmissionStatus as S
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.core.periods import Period
from kesu.plans.models import Category, Indicator

from .conftest import YEAR, make_user

pytestmark = pytest.mark.django_db
Y = int(YEAR)


def _figures(w, code, values: dict):
    for year, value in values.items():
        IndicatorValue.objects.update_or_create(indicator=w.ind[code], region=w.county, unit=w.edu,
                                                period_id=str(year), defaults={"value": Decimal(value)})


def _flags(w, code) -> list[str]:
    sub = services.submission_for(data_set=w.ds, period=YEAR, region=w.county, unit=w.edu)
    return [f.label for fig in services.submission_figures(sub) if fig.indicator.code == code
            for f in fig.flags]


def test_thresholds_of_a_rule_fall_back_to_the_defaults():
    t = outliers.thresholds_of(OutlierRule(jump_ratio=Decimal(2), enabled=True))
    assert (t.jump_ratio, t.min_diff, t.modified_z) == (Decimal(2), outliers.JUMP_MIN_DIFF, outliers.MODIFIED_Z)
    period = Period.parse(YEAR)
    earlier = {str(Y - 1): Decimal(100)}
    assert outliers.flags_for(Decimal(250), earlier, period) == []  # 2.5× is within the default 3×
    assert [f.kind for f in outliers.flags_for(Decimal(250), earlier, period, t)] == ["jump"]
    off = outliers.thresholds_of(OutlierRule(enabled=False))
    assert outliers.flags_for(Decimal(99999), earlier, period, off) == []


def test_an_indicator_tuned_tighter_is_flagged_and_must_be_explained(world):
    admin = make_user("admin", Role.ADMIN)
    _figures(world, "HR_FULL", {Y - 1: 100, Y: 250})
    assert _flags(world, "HR_FULL") == []
    services.outlier_rule_save(actor=admin, indicator=world.ind["HR_FULL"], jump_ratio="2", min_diff="")
    assert _flags(world, "HR_FULL") == ["同比突变"]
    sub = services.submission_for(data_set=world.ds, period=YEAR, region=world.county, unit=world.edu)
    with pytest.raises(ApplicationError, match="有数值异常未说明：“科普专职人员”是上年（100）的 2.5 倍"):
        services.submission_submit(actor=world.filler, submission=sub)
    event = AuditEvent.objects.get(object_type="collection.outlierrule")
    assert event.changes["jump_ratio"] == [None, "2"] and event.actor == admin
    # Switched off: the same figure goes through; back to the defaults: the rule is gone.
    services.outlier_rule_save(actor=admin, indicator=world.ind["HR_FULL"], enabled=False)
    assert _flags(world, "HR_FULL") == []
    services.submission_submit(actor=world.filler, submission=sub)
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED
    assert services.outlier_rule_save(actor=admin, indicator=world.ind["HR_FULL"]) is None
    assert not OutlierRule.objects.exists()


@pytest.mark.parametrize("field,raw,message", [
    ("jump_ratio", "abc", "“同比突变倍数”应为数字，收到“abc”。"),
    ("jump_ratio", "1", "“同比突变倍数”应不小于 1.1，收到 1。"),
    ("min_diff", "-5", "“最小差额”应不小于 0，收到 -5。"),
    ("modified_z", "NaN", "“修正 Z 值阈值”应不小于 0.5，收到 NaN。"),
])
def test_bad_thresholds_are_refused_naming_the_field_and_nothing_is_written(world, field, raw, message):
    admin = make_user("admin", Role.ADMIN)
    with pytest.raises(ApplicationError) as exc:
        services.outlier_rule_save(actor=admin, indicator=world.ind["HR_FULL"], z_score="4", **{field: raw})
    assert exc.value.message == message and exc.value.field == field
    assert not OutlierRule.objects.exists() and not AuditEvent.objects.filter(
        object_type="collection.outlierrule").exists()


def test_an_office_tunes_only_its_own_local_indicators(client, world):
    local = Indicator.objects.create(code="QX_FAIR", name="渠县科普集市场次", unit="场", category=Category.BASE,
                                     region=world.county)
    with pytest.raises(PermissionDenied, match="只有系统管理员可以调整全国通用指标"):
        services.outlier_rule_save(actor=world.office, indicator=world.ind["HR_FULL"], jump_ratio="2")
    client.force_login(world.office)
    page = client.get(reverse("collection:rules")).content.decode()
    form = page[page.index('id="outlier-form"'):]
    assert "渠县科普集市场次" in form and "科普专职人员" not in form  # only what the office may tune is offered
    r = client.post(reverse("collection:rules"), {"form": "outlier", "indicator": "QX_FAIR", "enabled": "1",
                                                  "jump_ratio": "5", "min_diff": "x"})
    assert "“最小差额”应为数字，收到“x”。" in r.content.decode() and not OutlierRule.objects.exists()
    r = client.post(reverse("collection:rules"), {"form": "outlier", "indicator": "QX_FAIR", "enabled": "1",
                                                  "jump_ratio": "5", "min_diff": "50"}, follow=True)
    html = r.content.decode()
    assert "“渠县科普集市场次”的异常值阈值已保存" in html
    row = html[html.index('data-code="QX_FAIR"'):]
    assert OutlierRule.objects.get(indicator=local).jump_ratio == 5 and "5.00" in row[:row.index("</tr>")]
    # Another county's office cannot reach it, even by posting its code.
    other = make_user("town_office2", Role.OFFICE, region=world.town1)
    client.force_login(other)
    r = client.post(reverse("collection:rules"), {"form": "outlier", "indicator": "QX_FAIR", "jump_ratio": "9"})
    assert "请选择可调整的指标" in r.content.decode()
    assert OutlierRule.objects.get(indicator=local).jump_ratio == 5
