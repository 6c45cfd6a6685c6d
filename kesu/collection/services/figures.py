"""Writing figures: the one batch-first service behind every door (grid, Excel, REST, DHIS2, old reports, history).

A batch is a list of ``Figure`` rows, each naming its own reporter (region, unit), period and indicator; a grid
cell is a batch of one. Every row is checked the same way whatever door it came through:

- scope: the actor may write for the reporter (``require_writer``; history and amendments need an office);
- coverage: an active data set collects the indicator from this reporter for the period's type — a period no data
  set covers (a month of a yearly indicator, ``190001``) is refused with the periods that are collected;
- locks and deadlines of the covering returns (``guard_open``) — they refuse a change; a figure sent unchanged
  (an export re-imported, a template uploaded again) is a no-op;
- the number itself: digits, sign, integer, range, and precision — a figure finer than the stored four decimals is
  refused, never rounded;
- duplicates within the batch, optimistic versions (``expected_version``), validation rules of the reporter's
  figures with every row of the batch in place.

Checking and writing are separate phases: every group (reporter × period) is checked first, inside the write
transaction with its returns and figures locked; only then is anything written. With ``partial=False`` a batch
with any problem writes nothing and returns every problem; with ``partial=True`` (DHIS2 ``atomicMode=NONE``) the
good rows are written and the bad ones reported. One audit event per changed figure names the door.

Modes: ``collect`` (the ordinary return), ``history`` (years before kesu collected them: no return exists yet; the
figures are loaded as approved history with their source and the covering returns are created approved), and
``amend`` (a locked, approved year corrected by the office with a reason). History and amendments keep the stored
roll-up rows in step, in the same transaction.

The configuration every check reads (covering data sets and their indicators, rules) is kept in the process while
the configuration version is unchanged (kesu/core/configuration.py); any change of it advances the version in its
own transaction, so the next write reads it afresh.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connections, router, transaction
from django.utils import timezone

from kesu.core import audit
from kesu.core.configuration import configuration_held, held
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.core.periods import HALF, MONTH, QUARTER, YEAR, Period
from kesu.plans.models import Indicator, ValueType

from .. import rollup, validation
from ..computed import activities_registered, activity_fed_ids
from ..models import (
    EDITABLE_STATUSES,
    LOCKED_STATUSES,
    DataSet,
    IndicatorValue,
    Submission,
    SubmissionStatus,
)
from ..reporting import data_sets_for, is_open
from .common import guard_open, mark_draft, parse_number, parse_period, reporter_label, require_writer, scope_of, today

OBJECT_TYPE = "collection.indicatorvalue"

# The doors figures come through; the label is written into every audit event's source.
DOORS = {"grid": "表单", "excel": "Excel", "api": "REST API", "dhis2": "DHIS2 数据交换",
         "extraction": "提取", "history": "历史数据导入", "survey": "抽样调查", "published": "上级发布",
         "demo": "演示数据"}

COLLECT, HISTORY, AMEND = "collect", "history", "amend"
# Audit actions: an ordinary change is create/update/delete; history and amendments are their own kinds.
_ACTIONS = {HISTORY: "history", AMEND: "amend"}
KIND_LABELS = {YEAR: "年度", HALF: "半年", QUARTER: "季度", MONTH: "月度"}
_EXAMPLES = {YEAR: "{y}", HALF: "{y}S1", QUARTER: "{y}Q1", MONTH: "{y}01"}
STORED_PLACES = Decimal("0.0001")  # IndicatorValue.value has four decimal places


@dataclass
class Figure:
    """One figure to write. ``explanation=None`` keeps the stored 情况说明; ``delete`` clears the figure."""

    indicator: object  # an Indicator or its code
    region: object
    unit: object | None
    period: object  # a Period or its id
    value: object = None
    explanation: str | None = None
    source: str = ""
    row: int = 1
    expected_version: int | None = None  # the version the editor loaded (0 = empty cell); None = upsert
    delete: bool = False


@dataclass
class RowError:
    row: int
    field: str | None
    message: str
    extra: dict = field(default_factory=dict)


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    stored: dict = field(default_factory=dict)  # row number → the IndicatorValue after the write (or as it is)
    warnings: dict = field(default_factory=dict)  # row number → explained violations the figure was saved with
    changed_rows: set = field(default_factory=set)
    opened: int = 0  # returns moved from 未填报 to 填报中 by their first figure

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, exc: ApplicationError) -> None:
        self.errors.append(RowError(row=row, field=exc.field, message=exc.message, extra=exc.extra))


@dataclass
class _Planned:
    figure: Figure
    indicator: Indicator
    number: Decimal | None
    explanation: str = ""
    stored: IndicatorValue | None = None
    closed: ApplicationError | None = None  # the lock or deadline that refuses this figure if it changes


def figures_write(*, actor, figures: list[Figure], door: str, reason: str = "", dry_run: bool = False,
                  partial: bool = False, mode: str = COLLECT) -> WriteResult:
    """Check and write a batch of figures (see the module docstring). Never raises for a row's problem."""
    if door not in DOORS:
        raise ValueError(f"unknown door {door!r}")
    if mode == AMEND and not reason.strip():
        raise ApplicationError("更正已审核的数据须填写更正原因。", field="reason")
    # The covering data sets, their indicators and the rules are read once per configuration version per process
    # (a grid cell: one statement instead of about eight); inside a bulk run's block, once for the run.
    with configuration_held(per_version=True):
        return _write(actor, figures, door=door, reason=reason, dry_run=dry_run, partial=partial, mode=mode)


def _write(actor, figures: list[Figure], *, door: str, reason: str, dry_run: bool, partial: bool,
           mode: str) -> WriteResult:
    result = WriteResult()
    groups = _groups(actor, figures, result, mode)
    if result.errors and not partial:
        return result
    if dry_run:
        for key, items in groups.items():
            changes, _ = _plan(key, items, result, mode, lock=False, partial=partial)
            for p in changes:  # what a real run would do
                if p.figure.delete:
                    result.deleted += 1
                elif p.stored is None:
                    result.created += 1
                else:
                    result.updated += 1
        return _finish(result, partial)
    with transaction.atomic():
        plans = [(key, _plan(key, items, result, mode, lock=True,
                                         partial=partial)) for key, items in groups.items()]
        if result.errors and not partial:
            return _finish(result, partial)
        derived_refresh = []
        for (region, unit, period), (changes, coverings) in plans:
            _apply(actor, region, unit, period, changes, coverings, result, door=door, reason=reason, mode=mode)
            if mode in (HISTORY, AMEND) and changes:
                derived_refresh.append((region, period, {c.indicator.pk for c in changes}))
        for region, period, indicator_ids in derived_refresh:
            rollup.rollup_refresh(indicator_ids=indicator_ids, region=region, period_ids=[period.id])
    return result


def _finish(result: WriteResult, partial: bool) -> WriteResult:
    if result.errors and not partial:
        result.created = result.updated = result.deleted = 0
    result.errors.sort(key=lambda e: e.row)
    return result


def write_mode(*, region, unit, indicator, period, on=None) -> str:
    """The path a figure from an old report takes for this reporter and period.

    ``AMEND`` when a covering return is approved (the office confirms a correction); ``HISTORY`` when the period is
    over, its reporting window closed and kesu never collected it (no return started); else ``COLLECT`` — the
    ordinary checks then say what is wrong, if anything (a submitted return, an uncovered period …).
    """
    period = parse_period(period)
    on = on or today()
    covering = data_sets_for(region, unit, indicator=indicator, period_type=period.kind)
    if not covering:
        return COLLECT
    statuses = dict(Submission.objects.filter(region=region, unit=unit, period_id=period.id, data_set__in=covering)
                    .values_list("data_set_id", "status"))
    if any(status in LOCKED_STATUSES for status in statuses.values()):
        return AMEND
    never_collected = all(statuses.get(ds.pk, SubmissionStatus.EMPTY) == SubmissionStatus.EMPTY for ds in covering)
    if never_collected and period.end < on and not any(is_open(ds, period, region, unit, on) for ds in covering):
        return HISTORY
    return COLLECT


# -- phase 1: group, resolve, check ----------------------------------------------------------------------------------


def _groups(actor, figures, result: WriteResult, mode: str) -> dict:
    """Rows grouped by reporter and period, with indicator codes resolved in one query and duplicates refused."""
    codes = {str(f.indicator).strip() for f in figures if not isinstance(f.indicator, Indicator)}
    by_code = {i.code: i for i in Indicator.objects.filter(code__in=codes)} if codes else {}
    scope = scope_of(actor)
    groups: dict = defaultdict(list)
    seen: dict = {}
    allowed: dict = {}
    for f in figures:
        try:
            indicator = f.indicator if isinstance(f.indicator, Indicator) else by_code.get(str(f.indicator).strip())
            if indicator is None:
                raise ApplicationError(f"指标编码“{f.indicator}”不存在。", field="indicator",
                                       extra={"code": "unknown_indicator"})
            period = parse_period(f.period)
            region, unit = f.region, f.unit
            if unit is not None and unit.region_id != region.pk:
                raise ApplicationError(f"{unit.name}不属于{region.name}。", field="unit")
            key = (indicator.pk, region.pk, unit.pk if unit else None, period.id)
            if key in seen:
                raise ApplicationError(f"{reporter_label(region, unit)} {period.label}“{indicator.name}”在第 {seen[key]} "
                                       f"行已填写，同一指标同一报告期只能填一行。", field="indicator",
                                       extra={"code": "duplicate"})
            seen[key] = f.row
            who = (region.pk, unit.pk if unit else None)
            if who not in allowed:
                allowed[who] = _permission(scope, region, unit, mode)
            if allowed[who] is not None:
                raise allowed[who]
        except ApplicationError as exc:
            result.error(f.row, exc)
            continue
        f.indicator, f.period = indicator, period
        groups[(region, unit, period)].append(f)
    # Group keys hold model instances: regroup on ids so two instances of one region share a group.
    merged: dict = {}
    for (region, unit, period), items in groups.items():
        k = (region.pk, unit.pk if unit else None, period.id)
        merged.setdefault(k, ((region, unit, period), []))[1].extend(items)
    return {key: items for key, items in merged.values()}


def _permission(scope, region, unit, mode) -> ApplicationError | None:
    """The refusal for this reporter, if any: history and amendments are for the office that manages it."""
    try:
        if mode == COLLECT:
            require_writer(scope, region, unit)
        elif not scope.manages_region(region):
            raise PermissionDenied(f"无权为{reporter_label(region, unit)}导入历史数据或更正已审核数据")
    except PermissionDenied as exc:
        return ApplicationError(f"{exc}。", field="orgUnit", extra={"forbidden": True, "code": "forbidden"})
    return None


def _check_derived(indicator, region, unit, period, mode: str) -> None:
    """An indicator summed from activities takes a typed figure only as history of a year without activities."""
    if mode != HISTORY:
        raise ApplicationError(f"“{indicator.name}”由科普活动自动汇总，不能直接填报；请在“活动”中登记"
                               "（系统启用前年度的数可作为历史数据导入）。", field="value")
    if activities_registered(region=region, unit=unit, period=period):
        raise ApplicationError(f"{reporter_label(region, unit)}{period.label}已登记科普活动，“{indicator.name}”由活动汇总，"
                               "不能再作为历史数据导入。", field="value")


def _plan(key, items: list[Figure], result: WriteResult, mode: str, *, lock: bool, partial: bool):
    """Check one reporter-period group; returns (changes, coverings). Problems go into ``result``."""
    region, unit, period = key
    before = len(result.errors)
    locked = None
    if lock:
        # The reporter's returns, locked in one ordered statement first, so two writers never deadlock; their
        # statuses, read under that lock, are what the lock and deadline checks need (no second read).
        locked = _returns_locked(region, unit, period)
    derived = activity_fed_ids()
    guard = _Guard(region, unit, period, mode, locked)
    parsed: list[_Planned] = []
    coverings: dict = {}
    for f in items:
        indicator = f.indicator
        try:
            if indicator.pk in derived:
                _check_derived(indicator, region, unit, period, mode)
            number = None if f.delete else number_of(indicator, f.value)
            closed = None
            try:
                coverings[indicator.pk] = guard.check(indicator)
            except ApplicationError as exc:
                if exc.extra.get("code") == "uncovered":
                    raise
                closed = exc  # a lock or deadline refuses a change only: an unchanged figure writes nothing
        except ApplicationError as exc:
            result.error(f.row, exc)
            continue
        parsed.append(_Planned(figure=f, indicator=indicator, number=number, closed=closed))
    stored = _stored_figures([p.indicator for p in parsed], region, unit, period, lock=lock)
    changes = []
    for p in parsed:
        f, row = p.figure, stored.get(p.indicator.pk)
        p.stored = row
        if f.delete:
            p.explanation = ""
        else:
            p.explanation = (row.explanation if row else "") if f.explanation is None else f.explanation.strip()
        # Tabbing through an empty cell (or deleting a figure never stored) creates no row and no event; re-sending
        # a stored figure unchanged (an export re-imported, a template uploaded again) is a no-op even when locked.
        unchanged = ((row is not None and row.value == p.number and row.explanation == p.explanation)
                     or (row is None and p.number is None and not p.explanation))
        if p.closed is not None and not unchanged:
            result.error(f.row, p.closed)
            continue
        if f.expected_version is not None and (row.version if row else 0) != f.expected_version:
            result.error(f.row, ApplicationError(
                value_conflict_message(row) if row else f"“{p.indicator.name}”已被他人清除，请刷新后重新填写。",
                field="version", extra={"current": row, "code": "conflict"}))
            continue
        if row is not None:
            result.stored[f.row] = row
        if unchanged:
            result.unchanged += 1
        else:
            changes.append(p)
    if len(result.errors) == before:
        _check_rules(result, changes, parsed, stored, region=region, unit=unit, period=period)
    if len(result.errors) > before:
        failed = {e.row for e in result.errors[before:]}
        changes = [p for p in changes if p.figure.row not in failed]
        if partial and mode == COLLECT:
            # Rules were checked with the whole group in place; a group with a refused row is written by none of
            # its rows, so a rule never passes on figures that were not saved.
            for p in changes:
                result.error(p.figure.row, ApplicationError(
                    f"{reporter_label(region, unit)} {period.label}的其他行有错误，本行未写入。", field="value"))
            changes = []
    return changes, coverings


# The two reads below run inside the write transaction, and on SQLite under its one write lock, which every writer
# of the database waits for: as querysets, compiling them took about 1.2 ms of a cell save's 2 ms under that lock,
# against 0.1 ms for the statements themselves, so they are written as SQL. On PostgreSQL they lock the rows they
# read (FOR UPDATE, in primary-key order, so two writers never deadlock).


def _returns_locked(region, unit, period: Period) -> dict:
    """The reporter's returns for the period, as data set id → status, locked until the transaction ends."""
    where, params = _reporter_where(region, unit, period)
    connection = connections[router.db_for_write(Submission)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data_set_id, status FROM {Submission._meta.db_table} WHERE {where} ORDER BY id"
                       f"{_for_update(connection)}", params)
        return dict(cursor.fetchall())


def _stored_figures(indicators: list, region, unit, period: Period, *, lock: bool) -> dict:
    """Indicator id → the reporter's stored figure for the period (locked until the transaction ends with ``lock``),
    with its indicator attached."""
    by_id = {i.pk: i for i in indicators}
    if not by_id:
        return {}
    where, params = _reporter_where(region, unit, period)
    alias = router.db_for_write(IndicatorValue)
    columns = ", ".join(f.column for f in IndicatorValue._meta.concrete_fields)
    sql = (f"SELECT {columns} FROM {IndicatorValue._meta.db_table} WHERE {where} AND indicator_id IN "
           f"({', '.join(['%s'] * len(by_id))}) ORDER BY id{_for_update(connections[alias]) if lock else ''}")
    stored = {}
    for row in IndicatorValue.objects.raw(sql, [*params, *by_id], using=alias):
        row.indicator = by_id[row.indicator_id]
        stored[row.indicator_id] = row
    return stored


def _reporter_where(region, unit, period: Period) -> tuple[str, list]:
    if unit is None:
        return "region_id = %s AND unit_id IS NULL AND period_id = %s", [region.pk, period.id]
    return "region_id = %s AND unit_id = %s AND period_id = %s", [region.pk, unit.pk, period.id]


def _for_update(connection) -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def number_of(indicator: Indicator, raw) -> Decimal | None:
    """The figure as stored, or a refusal: digits, sign, integer, the indicator's range, and stored precision."""
    number = parse_number(raw, label=indicator.name, allow_negative=indicator.min_value is not None
                          and indicator.min_value < 0, integer=indicator.value_type == ValueType.INTEGER, exact=True)
    if number is not None and number != number.quantize(STORED_PLACES):
        raise ApplicationError(f"“{indicator.name}”最多保留 4 位小数（填写了 {number.normalize():f}），请核对后重新填写，"
                               f"系统不会自动舍入。", field="value", extra={"code": "precision"})
    _check_range(indicator, number)
    return None if number is None else number.quantize(STORED_PLACES)


def _check_range(indicator: Indicator, value: Decimal | None) -> None:
    if value is None:
        return
    if indicator.min_value is not None and value < indicator.min_value:
        raise ApplicationError(
            f"“{indicator.name}”不能小于 {indicator.min_value.normalize():f}（填写了 {value.normalize():f}）。", field="value")
    if indicator.max_value is not None and value > indicator.max_value:
        raise ApplicationError(
            f"“{indicator.name}”不能大于 {indicator.max_value.normalize():f}（填写了 {value.normalize():f}）。", field="value")


def value_conflict_message(row: IndicatorValue) -> str:
    who = row.updated_by.display_name if row.updated_by else "其他人"
    shown = "空" if row.value is None else f"{row.value.normalize():f}"
    return (f"“{row.indicator.name}”已被{who}于 {row.updated_at:%Y-%m-%d %H:%M} 修改为 {shown}，"
            f"您看到的是旧数据。请核对后重新填写。")


class _Guard:
    """Coverage, locks and deadlines for many indicators of one reporter and period: the data sets are looked up
    once, and each distinct set of covering data sets is checked once (not two or three queries per row)."""

    def __init__(self, region, unit, period: Period, mode: str, locked: dict | None = None):
        self.region, self.unit, self.period, self.mode, self.locked = region, unit, period, mode, locked
        self.data_sets = data_sets_for(region, unit)
        ids = tuple(ds.pk for ds in self.data_sets)
        self.members = held(("data_set_members", ids), lambda: set(DataSet.indicators.through.objects.filter(
            dataset_id__in=ids).values_list("dataset_id", "indicator_id")))
        self.outcomes: dict[tuple, object] = {}

    def check(self, indicator) -> dict:
        collecting = [ds for ds in self.data_sets if (ds.pk, indicator.pk) in self.members]
        covering = [ds for ds in collecting if ds.period_type == self.period.kind]
        if not covering:
            raise self._uncovered(indicator, collecting)
        key = tuple(ds.pk for ds in covering)
        if key not in self.outcomes:
            try:
                self.outcomes[key] = self._open(covering)
            except ApplicationError as exc:
                self.outcomes[key] = exc
        outcome = self.outcomes[key]
        if isinstance(outcome, ApplicationError):
            raise outcome
        return outcome

    def _uncovered(self, indicator, collecting) -> ApplicationError:
        who = reporter_label(self.region, self.unit)
        if not collecting:
            return ApplicationError(f"{who}没有收集“{indicator.name}”的数据集，不能填写该指标。", field="period",
                                    extra={"code": "uncovered"})
        kinds = sorted({ds.period_type for ds in collecting}, key=list(KIND_LABELS).index)
        shown = "、".join(f"{KIND_LABELS[k]}（如 {_EXAMPLES[k].format(y=self.period.year)}）" for k in kinds)
        return ApplicationError(f"{who}的“{indicator.name}”不按{KIND_LABELS[self.period.kind]}收集，报告期“{self.period.id}”"
                                f"没有对应的数据集；该指标按{shown}收集。", field="period",
                                extra={"code": "uncovered"})

    def _open(self, covering) -> dict:
        if self.mode == COLLECT:
            return guard_open(region=self.region, unit=self.unit, period=self.period, data_sets=covering,
                              locked=self.locked)
        if self.locked is not None:  # every return of the reporter and period, read under the write's lock
            statuses = {ds.pk: self.locked[ds.pk] for ds in covering if ds.pk in self.locked}
        else:
            statuses = dict(Submission.objects.filter(region=self.region, unit=self.unit, period_id=self.period.id,
                                                      data_set__in=covering).values_list("data_set_id", "status"))
        who = f"{reporter_label(self.region, self.unit)}{self.period.label}"
        if self.mode == HISTORY:
            if self.period.end >= today():
                raise ApplicationError(f"{who}尚未结束，不能作为历史数据导入；请在填报页面填写。", field="period")
            collected = [ds for ds in covering if statuses.get(ds.pk, SubmissionStatus.EMPTY) != SubmissionStatus.EMPTY]
            if collected:
                raise ApplicationError(f"{who}“{collected[0].name}”已在本系统中填报，不能作为历史数据导入；"
                                       f"如需修改已审核的数据，请使用更正。", field="period")
        else:  # AMEND
            unlocked = [ds for ds in covering if statuses.get(ds.pk) not in LOCKED_STATUSES]
            if unlocked:
                status = statuses.get(unlocked[0].pk, SubmissionStatus.EMPTY)
                hint = "请直接填报" if status in EDITABLE_STATUSES else "请先审核或退回"
                raise ApplicationError(f"{who}“{unlocked[0].name}”未审核锁定，无需更正，{hint}。", field="period")
        return {ds: statuses.get(ds.pk, SubmissionStatus.EMPTY) for ds in covering}


def _check_rules(result, changes, parsed, stored, *, region, unit, period) -> None:
    """Blocking rules refuse; explain rules need an explanation on a changed figure they mention."""
    if not changes:
        return
    overrides = {p.indicator.code: p.number for p in parsed}
    explanations = {p.indicator.code: (stored[p.indicator.pk].explanation if p.indicator.pk in stored else "")
                    for p in parsed}
    explanations.update({p.indicator.code: p.explanation for p in changes})
    changed = {p.indicator.code: p.figure.row for p in changes}
    violations = validation.check(region=region, unit=unit, period=period, overrides=overrides,
                                  explanations_override=explanations, only_codes=set(changed))
    label = f"{reporter_label(region, unit)} {period.label}"
    for v in violations:
        row = min(changed[c] for c in v.codes if c in changed)
        if v.is_blocking:
            result.error(row, ApplicationError(f"{label}：{v.message}", field="value", extra={"rule": v.rule.code}))
        elif not v.explained:
            result.error(row, ApplicationError(f"{label}：{v.message}。如数据无误，请填写情况说明后保存。",
                                               field="explanation",
                                               extra={"rule": v.rule.code, "needs_explanation": True}))
        else:
            result.warnings.setdefault(row, []).append(v)


# -- phase 2: write --------------------------------------------------------------------------------------------------


def _apply(actor, region, unit, period, changes: list[_Planned], coverings: dict, result: WriteResult, *, door: str,
           reason: str, mode: str) -> None:
    """New figures bulk-created, changed ones bulk-updated, one audit event each (bulk-created too)."""
    if not changes:
        return
    now = timezone.now()
    new, changed, events = [], [], []
    for p in changes:
        row = p.stored
        old = {"value": row.value, "explanation": row.explanation} if row else None
        if row is None:
            row = IndicatorValue(indicator=p.indicator, region=region, unit=unit, period_id=period.id, version=0)
        row.value, row.explanation = p.number, p.explanation
        row.version += 1
        row.source, row.updated_by, row.updated_at = (p.figure.source or DOORS[door])[:300], actor, now
        (new if old is None else changed).append((row, old, p))
    IndicatorValue.objects.bulk_create([row for row, *_ in new], batch_size=500)
    written = ["value", "explanation", "version", "source", "updated_by", "updated_at"]
    if len(changed) == 1:  # a grid cell: one plain UPDATE (building bulk_update's CASE per column costs more)
        row = changed[0][0]
        IndicatorValue.objects.filter(pk=row.pk).update(**{name: getattr(row, name) for name in written})
    else:
        IndicatorValue.objects.bulk_update([row for row, *_ in changed], written, batch_size=500)
    actor_or_none = actor if getattr(actor, "is_authenticated", False) else None
    label = f"{reporter_label(region, unit)} {period.label}"
    for row, old, p in new + changed:
        action = _ACTIONS.get(mode) or ("create" if old is None else "delete" if p.figure.delete else "update")
        events.append(AuditEvent(
            actor=actor_or_none, action=action, object_type=OBJECT_TYPE, object_id=str(row.pk),
            object_repr=f"{label} {p.indicator.name}"[:300],
            changes=audit.model_changes(row, old, ["value", "explanation"]), reason=reason,
            source=_audit_source(door, p.figure.source), region_path=region.path))
        result.stored[p.figure.row] = row
        result.changed_rows.add(p.figure.row)
        if p.figure.delete:
            result.deleted += 1
        elif old is None:
            result.created += 1
        else:
            result.updated += 1
    AuditEvent.objects.bulk_create(events, batch_size=500)
    drafts: dict = {}
    for p in changes:
        drafts.update(coverings[p.indicator.pk])
    if mode == COLLECT:
        result.opened += mark_draft(region=region, unit=unit, period=period, covering=drafts)
    elif mode == HISTORY:
        _approve_history(actor, region, unit, period, drafts, now)


def _audit_source(door: str, source: str) -> str:
    """The door always shows; the row's own source (file and row, document and page) follows it."""
    label = DOORS[door]
    if not source or source == label:
        return label
    return (source if source.startswith(label) else f"{label}：{source}")[:300]


def _approve_history(actor, region, unit, period, covering: dict, now) -> None:
    """History is approved as loaded: the covering returns are created approved, so the year reads as final."""
    for ds in covering:
        sub, _ = Submission.objects.get_or_create(
            data_set=ds, period_id=period.id, region=region, unit=unit,
            defaults={"period_start": period.start, "period_end": period.end})
        if sub.status == SubmissionStatus.EMPTY:
            sub.status, sub.reviewed_at = SubmissionStatus.APPROVED, now
            sub.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
            sub.save(update_fields=["status", "reviewed_at", "reviewed_by", "updated_at"])
            audit.record(actor=actor, action="history", instance=sub, object_repr=str(sub),
                         changes={"status": [SubmissionStatus.EMPTY, SubmissionStatus.APPROVED]},
                         reason="历史数据导入，按已审核记录", source=DOORS["history"], region_path=region.path)
