"""Who changed what in a period: the audit events an office may read, filtered, and their CSV/XLSX export.

An office reads the events recorded for its region subtree (``AuditEvent.region_path``); the administrator reads
all. Events are only ever read here: nothing in kesu edits or deletes one (see kesu/core/admin.py for the admin).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.core.spreadsheet import safe_row

# What an event's object_type means to a reader.
ENTITY_LABELS = {
    "collection.indicatorvalue": "指标数值", "collection.activity": "科普活动", "collection.narrative": "工作情况",
    "collection.submission": "填报审核", "collection.dataset": "数据集", "collection.validationrule": "审核规则",
    "plans.plan": "规划方案", "plans.task": "任务", "plans.target": "目标值", "plans.indicator": "指标",
    "plans.framework": "纲要框架", "plans.frameworkitem": "纲要条目", "plans.policydocument": "政策文件",
    "plans.meeting": "会议", "orgs.unit": "成员单位", "orgs.contactperson": "联系人", "regions.region": "区域",
    "extraction.fact": "历史报告数据", "extraction.sourcedocument": "历史报告",
    "extraction.sourcereport": "历史报告篇目",
}
# The verb of an action ("update", "plan.create" …) as a reader says it; unknown verbs are shown as recorded.
VERBS = {
    "create": "新建", "update": "修改", "delete": "删除", "set": "设定", "submit": "提交", "return": "退回",
    "approve": "审核通过", "unapprove": "撤销审核", "reopen": "重新打开", "withdraw": "撤回", "accept": "采纳",
    "ignore": "忽略", "upload": "上传", "reset": "恢复默认", "generate": "生成", "import": "导入", "load": "载入",
    "move": "移动", "end": "停用", "localise": "本地化", "publish": "发布", "revoke": "撤销", "create_defaults": "创建默认单位",
    "confirm": "确认", "retry": "重新提取",
}
HEADERS = ["时间", "操作人", "动作", "对象类型", "对象", "变更（原值 → 新值）", "原因", "来源"]
MAX_EXPORT = 100_000


@dataclass
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    entity: str = ""
    region_path: str = ""


def require_reader(scope: Scope) -> None:
    if not (scope.is_admin or scope.is_office):
        raise PermissionDenied("只有办公室和系统管理员可以查看操作记录。")


def parse_filters(params) -> Filters:
    """Filters from a query string; a bad date is named with its field."""
    def day(name, label):
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ApplicationError(f"{label}“{raw}”不是有效日期，请写成 2026-05-20。", field=name) from None

    filters = Filters(date_from=day("from", "开始日期"), date_to=day("to", "结束日期"),
                      actor=(params.get("actor") or "").strip()[:150], entity=(params.get("entity") or "").strip(),
                      region_path=(params.get("region") or "").strip())
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ApplicationError("开始日期不能晚于结束日期。", field="from")
    return filters


def events(scope: Scope, filters: Filters) -> QuerySet:
    """The events ``scope`` may read, newest first, narrowed by ``filters``."""
    require_reader(scope)
    qs = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    if not scope.is_admin:
        qs = qs.filter(region_path__startswith=scope.region_path)
    if filters.region_path:
        qs = qs.filter(region_path__startswith=filters.region_path)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=datetime.combine(filters.date_from, time.min, tz))
    if filters.date_to:
        qs = qs.filter(at__lt=datetime.combine(filters.date_to + timedelta(days=1), time.min, tz))
    if filters.actor:
        qs = qs.filter(Q(actor__username=filters.actor) | Q(actor__full_name__icontains=filters.actor))
    if filters.entity:
        qs = qs.filter(object_type=filters.entity)
    return qs


def action_label(event: AuditEvent) -> str:
    verb = event.action.rsplit(".", 1)[-1]
    return VERBS.get(verb, event.action)


def field_label(object_type: str, name: str) -> str:
    """A changed field by its Chinese verbose name where the model still has it."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        return str(apps.get_model(object_type)._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):  # an unknown type, or a field not on the model (now)
        return name


def changes_text(event: AuditEvent) -> str:
    parts = []
    for key, pair in (event.changes or {}).items():
        name = field_label(event.object_type, key)
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            old, new = ("" if v is None else v for v in pair)
            parts.append(f"{name}: {old} → {new}")
        else:
            parts.append(f"{name}: {pair}")
    return "；".join(parts)


def actor_label(event: AuditEvent) -> str:
    if event.actor is None:
        return "系统"
    return f"{event.actor.full_name or event.actor.username}（{event.actor.username}）"


def row(event: AuditEvent) -> list:
    at = timezone.localtime(event.at)
    return [f"{at:%Y-%m-%d %H:%M:%S}", actor_label(event), action_label(event),
            ENTITY_LABELS.get(event.object_type, event.object_type), event.object_repr, changes_text(event),
            event.reason, event.source]


def export_csv(qs) -> bytes:
    buf = io.StringIO()
    buf.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    for event in qs[:MAX_EXPORT]:
        writer.writerow(safe_row(row(event)))
    return buf.getvalue().encode("utf-8")


def export_xlsx(qs) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "操作记录"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for event in qs[:MAX_EXPORT]:
        ws.append(safe_row(row(event)))
    for letter, width in zip("ABCDEFGH", (20, 22, 18, 12, 36, 60, 30, 20), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
