"""Rule expressions over indicator codes, e.g. ``TRN_FARMER_P >= TRN_FARMER_SESSIONS`` or
``FUND_RAISED == FUND_GOV + FUND_DONATION + FUND_SELF``.

Parsed with :mod:`ast` and checked against a whitelist of node types, then walked by our own evaluator over
``Decimal`` values. Nothing is ever passed to ``eval``: attribute access, calls, subscripts, lambdas and the like are
refused at parse time.
"""

import ast
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kesu.core.exceptions import ApplicationError

_ALLOWED = (
    ast.Expression, ast.Compare, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Name, ast.Constant, ast.Load,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd, ast.And, ast.Or,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq,
)
_MAX_LENGTH = 500
# Equality of money lines allows rounding differences in the fourth decimal place.
_TOLERANCE = Decimal("0.0001")


@dataclass(frozen=True)
class CompiledExpression:
    text: str
    tree: ast.Expression
    codes: tuple[str, ...]


def compile_expression(text: str) -> CompiledExpression:
    """Parse and check ``text``; the result can be evaluated many times."""
    text = (text or "").strip()
    if not text:
        raise ApplicationError("关系式不能为空。", field="expression")
    if len(text) > _MAX_LENGTH:
        raise ApplicationError(f"关系式过长（不超过 {_MAX_LENGTH} 个字符）。", field="expression")
    # Full-width operators typed with a Chinese input method are common; accept them.
    text = text.translate(str.maketrans({"＞": ">", "＜": "<", "＝": "=", "≥": ">=", "≤": "<=", "≠": "!=",
                                         "（": "(", "）": ")", "＋": "+", "－": "-", "×": "*", "÷": "/"}))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ApplicationError(f"关系式“{text}”无法解析，请检查括号和运算符。", field="expression") from None
    codes: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ApplicationError(
                f"关系式“{text}”含有不允许的写法（{type(node).__name__}），只能使用指标编码、数字、+ - * / 和比较运算。",
                field="expression",
            )
        is_number = isinstance(getattr(node, "value", None), (int, float)) and not isinstance(node.value, bool)
        if isinstance(node, ast.Constant) and not is_number:
            raise ApplicationError(f"关系式“{text}”中只能出现数字常量。", field="expression")
        if isinstance(node, ast.Name) and node.id not in codes:
            codes.append(node.id)
    if not isinstance(tree.body, (ast.Compare, ast.BoolOp)):
        raise ApplicationError(f"关系式“{text}”必须是比较式，如 A >= B。", field="expression")
    return CompiledExpression(text=text, tree=tree, codes=tuple(codes))


class _Missing(Exception):
    """A referenced indicator has no value: the rule is skipped, not failed."""


def evaluate(expression: CompiledExpression, values: dict[str, Decimal | None]) -> bool | None:
    """True/False for the rule, or None when a figure it needs is missing (or a division by zero)."""
    try:
        return bool(_eval(expression.tree.body, values))
    except (_Missing, ZeroDivisionError, InvalidOperation):
        return None


def _eval(node, values):
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value is None:
            raise _Missing(node.id)
        return Decimal(value)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise ZeroDivisionError
        return left / right
    if isinstance(node, ast.BoolOp):
        results = [_eval(v, values) for v in node.values]
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, values)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    raise _Missing(type(node).__name__)  # unreachable after compile_expression's whitelist


def _compare(op, left: Decimal, right: Decimal) -> bool:
    if isinstance(op, ast.Eq):
        return abs(left - right) <= _TOLERANCE
    if isinstance(op, ast.NotEq):
        return abs(left - right) > _TOLERANCE
    if isinstance(op, ast.Lt):
        return left < right
    if isinstance(op, ast.LtE):
        return left <= right + _TOLERANCE
    if isinstance(op, ast.Gt):
        return left > right
    return left + _TOLERANCE >= right
