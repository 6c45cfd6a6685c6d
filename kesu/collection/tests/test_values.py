from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kesu.collection import services
from kesu.collection.models import IndicatorValue, Submission, SubmissionStatus, ValidationRule
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def save(w, code, value, *, user=None, unit="edu", **kw):
    unit_obj = getattr(w, unit) if unit else None
    return services.value_save(actor=user or w.filler, indicator=w.ind[code], region=w.county, unit=unit_obj,
                               period=YEAR, value=value, **kw)


def test_save_creates_value_audit_and_draft(world):
    result = save(world, "HR_FULL", "1,234", expected_version=0)
    row = IndicatorValue.objects.get(pk=result.row.pk)
    assert row.value == Decimal("1234") and row.version == 1 and row.unit == world.edu
    event = AuditEvent.objects.get(object_type="collection.indicatorvalue", object_id=str(row.pk))
    assert event.changes["value"] == [None, "1234.0000"] and event.source == "表单" and event.actor == world.filler
    sub = Submission.objects.get(data_set=world.ds, region=world.county, unit=world.edu, period_id=YEAR)
    assert sub.status == SubmissionStatus.DRAFT


def test_update_records_old_and_new_and_reason(world):
    save(world, "HR_FULL", "10")
    save(world, "HR_FULL", "12", expected_version=1, reason="补录遗漏人员", source="Excel:统计表.xlsx:第5行")
    events = AuditEvent.objects.filter(object_type="collection.indicatorvalue").order_by("id")
    assert [e.changes["value"] for e in events] == [[None, "10.0000"], ["10.0000", "12.0000"]]
    assert events.last().reason == "补录遗漏人员" and events.last().source == "Excel:统计表.xlsx:第5行"


def test_negative_count_refused(world):
    with pytest.raises(ApplicationError, match="不能为负数"):
        save(world, "HR_FULL", "-3")
    assert not IndicatorValue.objects.exists()


def test_text_in_number_cell_refused(world):
    with pytest.raises(ApplicationError, match="应填数字"):
        save(world, "HR_FULL", "十二人")


def test_fraction_in_integer_indicator_refused(world):
    with pytest.raises(ApplicationError, match="应为整数"):
        save(world, "HR_FULL", "2.5")


def test_value_outside_min_max_refused(world):
    with pytest.raises(ApplicationError, match="不能大于 100"):
        save(world, "LIT_RATIO", "120")
    save(world, "LIT_RATIO", "15.5")


def test_blocking_rule_refuses(world):
    ValidationRule.objects.create(code="F", name="女性不超过专职", expression="HR_FULL_FEMALE <= HR_FULL",
                                  codes=["HR_FULL_FEMALE", "HR_FULL"], severity="blocking", message="分项不能大于合计")
    save(world, "HR_FULL", "10")
    with pytest.raises(ApplicationError, match="分项不能大于合计") as exc:
        save(world, "HR_FULL_FEMALE", "11")
    assert "HR_FULL_FEMALE=11" in exc.value.message
    assert not IndicatorValue.objects.filter(indicator=world.ind["HR_FULL_FEMALE"]).exists()
    save(world, "HR_FULL_FEMALE", "7")


def test_explain_rule_needs_explanation(world):
    ValidationRule.objects.create(code="G", name="拨款不超过筹集额", expression="FUND_GOV <= FUND_RAISED",
                                  codes=["FUND_GOV", "FUND_RAISED"], severity="explain")
    save(world, "FUND_RAISED", "100")
    with pytest.raises(ApplicationError) as exc:
        save(world, "FUND_GOV", "120")
    assert exc.value.field == "explanation" and "情况说明" in exc.value.message
    result = save(world, "FUND_GOV", "120", explanation="含上年结转的财政拨款")
    assert result.row.explanation == "含上年结转的财政拨款" and result.warnings


def test_yoy_rule_flags_jump(world):
    ValidationRule.objects.create(code="Y", name="筹集额同比", kind="yoy", indicator=world.ind["FUND_RAISED"],
                                  threshold_pct=50, severity="explain", codes=["FUND_RAISED"])
    last = str(int(YEAR) - 1)
    IndicatorValue.objects.create(indicator=world.ind["FUND_RAISED"], region=world.county, unit=world.edu,
                                  period_id=last, value=100)
    save(world, "FUND_RAISED", "140")
    with pytest.raises(ApplicationError, match="增长160.0%"):
        save(world, "FUND_RAISED", "260", expected_version=1)


def test_stale_version_refused_with_other_change(world):
    save(world, "HR_FULL", "10", expected_version=0)
    services.value_save(actor=world.office, indicator=world.ind["HR_FULL"], region=world.county, unit=world.edu,
                        period=YEAR, value="11", expected_version=1)
    with pytest.raises(ApplicationError) as exc:
        save(world, "HR_FULL", "12", expected_version=1)
    assert exc.value.field == "version" and "county_office" in exc.value.message and "11" in exc.value.message
    assert IndicatorValue.objects.get().value == 11


def test_new_cell_created_meanwhile_is_a_conflict(world):
    save(world, "HR_FULL", "10", user=world.office)
    with pytest.raises(ApplicationError, match="旧数据"):
        save(world, "HR_FULL", "12", expected_version=0)


def test_filler_cannot_write_other_unit(world):
    with pytest.raises(PermissionDenied):
        save(world, "HR_FULL", "5", unit="agri")
    with pytest.raises(PermissionDenied):
        save(world, "HR_FULL", "5", unit=None)
    assert not IndicatorValue.objects.exists()


def test_viewer_cannot_write(world):
    with pytest.raises(PermissionDenied):
        save(world, "HR_FULL", "5", user=world.viewer)


def test_locked_value_refused_after_approval(world):
    save(world, "HR_FULL", "10")
    sub = Submission.objects.get(unit=world.edu)
    services.submission_submit(actor=world.filler, submission=sub)
    with pytest.raises(ApplicationError, match="已提交"):
        save(world, "HR_FULL", "11", expected_version=1)
    services.submission_approve(actor=world.office, submission=sub)
    with pytest.raises(ApplicationError, match="已锁定"):
        save(world, "HR_FULL", "11", expected_version=1)
    with pytest.raises(ApplicationError, match="已锁定"):
        save(world, "HR_FULL", "11", user=world.office)
    assert IndicatorValue.objects.get().value == 10


def test_closed_window_needs_lock_exception(world):
    last = str(int(YEAR) - 1)
    with pytest.raises(ApplicationError, match="截止锁定"):
        services.value_save(actor=world.filler, indicator=world.ind["HR_FULL"], region=world.county,
                            unit=world.edu, period=last, value=3)
    from datetime import timedelta

    from kesu.collection.services.common import today
    services.lock_exception_open(actor=world.office, data_set=world.ds, period=last, region=world.county,
                                 unit=world.edu, until=today() + timedelta(days=3), reason="补报")
    services.value_save(actor=world.filler, indicator=world.ind["HR_FULL"], region=world.county, unit=world.edu,
                        period=last, value=3)


def test_upsert_is_idempotent_inside_one_outer_transaction(world):
    from django.db import transaction
    with transaction.atomic():
        for i in range(3):
            services.value_upsert(actor=world.filler, indicator="HR_FULL", region=world.county, unit=world.edu,
                                  period=YEAR, value="8", source=f"Excel:表.xlsx:第{i + 2}行")
    row = IndicatorValue.objects.get()
    assert row.version == 1 and row.source == "Excel:表.xlsx:第2行"
    assert AuditEvent.objects.filter(object_type="collection.indicatorvalue").count() == 1


def test_import_rolls_back_whole_batch_on_bad_row(world):
    from django.db import transaction
    with pytest.raises(ApplicationError):
        with transaction.atomic():
            services.value_upsert(actor=world.filler, indicator="HR_FULL", region=world.county, unit=world.edu,
                                  period=YEAR, value="8", source="Excel:表.xlsx:第2行")
            services.value_upsert(actor=world.filler, indicator="NOPE", region=world.county, unit=world.edu,
                                  period=YEAR, value="8", source="Excel:表.xlsx:第3行")
    assert not IndicatorValue.objects.exists()


def test_activity_derived_indicator_cannot_be_typed(activity_rules):
    with pytest.raises(ApplicationError, match="自动汇总"):
        save(activity_rules, "TRN_FARMER_P", "100")


def test_blank_cell_writes_nothing_and_clearing_keeps_history(world):
    result = save(world, "HR_FULL", "  ", expected_version=0)
    assert not result.changed and not IndicatorValue.objects.exists()
    save(world, "HR_FULL", "9", expected_version=0)
    save(world, "HR_FULL", "", expected_version=1)
    row = IndicatorValue.objects.get()
    assert row.value is None and row.version == 2
    assert AuditEvent.objects.filter(object_id=str(row.pk)).count() == 2
