from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from kesu.collection import services
from kesu.collection.expressions import compile_expression, evaluate
from kesu.collection.models import ActivityIndicatorRule, ValidationRule
from kesu.core.exceptions import ApplicationError


def test_compiles_and_evaluates():
    expr = compile_expression("TRN_FARMER_P >= TRN_FARMER_SESSIONS")
    assert expr.codes == ("TRN_FARMER_P", "TRN_FARMER_SESSIONS")
    assert evaluate(expr, {"TRN_FARMER_P": Decimal(10), "TRN_FARMER_SESSIONS": Decimal(2)}) is True
    assert evaluate(expr, {"TRN_FARMER_P": Decimal(1), "TRN_FARMER_SESSIONS": Decimal(2)}) is False
    assert evaluate(expr, {"TRN_FARMER_P": Decimal(1)}) is None  # missing figure: rule skipped


def test_balance_with_tolerance_and_fullwidth_operators():
    expr = compile_expression("FUND_RAISED ＝＝ FUND_GOV ＋ FUND_SELF")
    assert evaluate(expr, {"FUND_RAISED": Decimal("10.00001"), "FUND_GOV": Decimal(6), "FUND_SELF": Decimal(4)})
    assert not evaluate(expr, {"FUND_RAISED": Decimal("11"), "FUND_GOV": Decimal(6), "FUND_SELF": Decimal(4)})


def test_division_by_zero_skips():
    expr = compile_expression("A / B <= 3")
    assert evaluate(expr, {"A": Decimal(1), "B": Decimal(0)}) is None


@pytest.mark.parametrize("text", [
    "__import__('os').system('id') == 0",
    "A.__class__ == B",
    "open('x') == 1",
    "A[0] >= 1",
    "(lambda: 1)() == 1",
    "[A for A in B] == 1",
    "A if B else C",
    "A ** 1000000 > 1",
    "'text' == A",
    "A >= True",
    "A + B",
    "A >=",
])
def test_unsafe_or_malformed_expressions_refused(text):
    with pytest.raises(ApplicationError) as exc:
        compile_expression(text)
    assert exc.value.field == "expression"


@pytest.mark.django_db
def test_office_adds_local_rule_and_bad_expression_is_refused(world):
    rule = services.rule_create(actor=world.office, region=world.county, code="L1", name="女性不超过专职",
                                expression="HR_FULL_FEMALE <= HR_FULL", severity="explain")
    assert rule.codes == ["HR_FULL_FEMALE", "HR_FULL"]
    with pytest.raises(ApplicationError):
        services.rule_create(actor=world.office, region=world.county, code="L2", name="坏",
                             expression="__import__('os')")
    with pytest.raises(PermissionDenied):
        services.rule_create(actor=world.filler, region=world.county, code="L3", name="x", expression="A >= B")


@pytest.mark.django_db
def test_load_rules_is_idempotent(world):
    first = services.load_rules()
    assert first.rules_created >= 1  # rules whose indicators exist in this small catalogue
    count = ValidationRule.objects.count()
    assert ValidationRule.objects.filter(code="FUND_GOV_LE_RAISED", severity="blocking").exists()
    assert "ACT_LECTURE_N_GE" not in first.skipped
    call_command("load_rules")
    assert ValidationRule.objects.count() == count
    assert ActivityIndicatorRule.objects.filter(indicator__code="TRN_FARMER_P", measure="participants").count() == 1
    assert "MEDIA_MATERIALS" in first.skipped  # not in this catalogue
