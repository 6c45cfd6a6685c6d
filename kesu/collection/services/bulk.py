"""Bulk writes for imports: validate every row in memory first, then write all of them in one transaction.

The checks are the ones the single-row services run (``activities._clean``, ``parse_number``, range, lock and rule
checks), called per row; only the writing is batched (bulk_create / bulk_update, audit events bulk-created too).
A call either writes every row or — when any row has a problem — none, and returns every row's problem.
Unchanged rows are not touched and leave no audit event, so importing the same file twice changes nothing.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connections, router, transaction
from django.utils import timezone

from kesu.core import audit
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent

from .. import validation
from ..models import LOCKED_STATUSES, Activity, ActivityIndicatorRule, DataSet, IndicatorValue, Submission
from . import activities as activity_services
from . import values as value_services
from .common import guard_open, mark_draft, parse_number, parse_period, reporter_label, require_writer, scope_of


@dataclass
class RowError:
    row: int
    field: str | None
    message: str


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ValueRow:
    row: int
    indicator: object  # an Indicator or its code
    value: object
    explanation: str | None  # None keeps the stored explanation
    source: str


@dataclass
class ActivityRow:
    row: int
    data: dict
    source: str


def _error(result: BulkResult, row: int, exc: ApplicationError) -> None:
    result.errors.append(RowError(row=row, field=exc.field, message=exc.message))


# -- indicator values ----------------------------------------------------------------------------------------------


def value_bulk_upsert(*, actor, region, unit, period, rows: list[ValueRow], reason: str = "",
                      dry_run: bool = False) -> BulkResult:
    """Upsert many figures of one reporter and period, keyed on (indicator, region, unit, period).

    Rules are checked against the whole file at once (every row's new figure in place), so the order of the rows
    never matters — a row-by-row save could fail on a half-updated state.
    """
    period = parse_period(period)
    require_writer(scope_of(actor), region, unit)
    if unit is not None and unit.region_id != region.pk:
        raise ApplicationError(f"{unit.name}不属于{region.name}。", field="unit")
    result = BulkResult()
    derived = set(ActivityIndicatorRule.objects.values_list("indicator_id", flat=True))
    parsed, seen, coverings = [], {}, {}
    guards = _GuardCache(region=region, unit=unit, period=period)
    for r in rows:
        try:
            indicator = value_services._indicator(r.indicator)
            if indicator.pk in seen:
                raise ApplicationError(f"指标“{indicator.name}”在第 {seen[indicator.pk]} 行已填写，同一指标只能填一行。",
                                       field="indicator")
            seen[indicator.pk] = r.row
            if indicator.pk in derived:
                raise ApplicationError(f"“{indicator.name}”由科普活动自动汇总，不能直接填报；请在“活动”中登记。", field="value")
            number = parse_number(r.value, label=indicator.name, allow_negative=indicator.min_value is not None
                                  and indicator.min_value < 0, integer=indicator.value_type == "integer")
            value_services._check_range(indicator, number)
            covering = guards.check(indicator)
        except ApplicationError as exc:
            _error(result, r.row, exc)
            continue
        parsed.append((r, indicator, number))
        coverings[indicator.pk] = covering
    if result.errors:
        return result

    stored = {v.indicator_id: v for v in IndicatorValue.objects.filter(
        indicator_id__in=[i.pk for _, i, _ in parsed], region=region, unit=unit, period_id=period.id)}
    changes = []
    for r, indicator, number in parsed:
        row = stored.get(indicator.pk)
        explanation = (row.explanation if row else "") if r.explanation is None else r.explanation.strip()
        if row is not None and row.value == number and row.explanation == explanation:
            result.unchanged += 1
        else:
            changes.append((r, indicator, number, explanation, row))
    _check_rules(result, changes, parsed, stored, region=region, unit=unit, period=period)
    if result.errors or dry_run:
        result.created = sum(1 for c in changes if c[4] is None) if not result.errors else 0
        result.updated = len(changes) - result.created if not result.errors else 0
        return result

    with transaction.atomic():
        drafts: dict = {}
        for r, indicator, number, explanation, row in changes:
            old = {"value": row.value, "explanation": row.explanation} if row else None
            if row is None:
                row = IndicatorValue(indicator=indicator, region=region, unit=unit, period_id=period.id, version=0)
            row.value, row.explanation = number, explanation
            row.version += 1
            row.source, row.updated_by = r.source[:300], actor
            row.save()
            audit.record(actor=actor, action="create" if old is None else "update", instance=row,
                         object_type=value_services.OBJECT_TYPE,
                         object_repr=f"{reporter_label(region, unit)} {period.label} {indicator.name}",
                         changes=audit.model_changes(row, old, ["value", "explanation"]), reason=reason,
                         source=r.source, region_path=region.path)
            drafts.update(coverings[indicator.pk])
            if old is None:
                result.created += 1
            else:
                result.updated += 1
        mark_draft(region=region, unit=unit, period=period, covering=drafts)
    return result


class _GuardCache:
    """``guard_open`` once per distinct set of data sets holding the indicators of a file, not once per row.

    Its outcome depends only on which data sets hold the indicator (and on the reporter and period, fixed here), so
    indicators held by the same data sets share it; a refusal is raised again for every row it concerns.
    """

    def __init__(self, *, region, unit, period):
        self.region, self.unit, self.period = region, unit, period
        self.holders: dict | None = None
        self.outcomes: dict = {}

    def check(self, indicator) -> dict:
        if self.holders is None:
            self.holders = {}
            paths = [*self.region.ancestor_paths, self.region.path]  # the data sets that can cover this reporter
            for ds_id, ind_id in DataSet.indicators.through.objects.filter(
                    dataset__region__path__in=paths).values_list("dataset_id", "indicator_id"):
                self.holders.setdefault(ind_id, set()).add(ds_id)
        key = frozenset(self.holders.get(indicator.pk, ()))
        if key not in self.outcomes:
            try:
                self.outcomes[key] = guard_open(region=self.region, unit=self.unit, period=self.period,
                                                indicator=indicator)
            except ApplicationError as exc:
                self.outcomes[key] = exc
        outcome = self.outcomes[key]
        if isinstance(outcome, ApplicationError):
            raise outcome
        return outcome


def _check_rules(result, changes, parsed, stored, *, region, unit, period) -> None:
    """Blocking rules refuse; explain rules need an explanation on a changed figure they mention."""
    if not changes:
        return
    overrides = {i.code: n for _, i, n in parsed}
    explanations = {i.code: (stored[i.pk].explanation if i.pk in stored else "") for _, i, _ in parsed}
    explanations.update({i.code: e for _, i, _, e, _ in changes})
    changed = {i.code: r.row for r, i, _, _, _ in changes}
    violations = validation.check(region=region, unit=unit, period=period, overrides=overrides,
                                  explanations_override=explanations, only_codes=set(changed))
    label = f"{reporter_label(region, unit)} {period.label}"
    for v in violations:
        row = min(changed[c] for c in v.codes if c in changed)
        if v.is_blocking:
            result.errors.append(RowError(row=row, field="value", message=f"{label}：{v.message}"))
        elif not v.explained:
            result.errors.append(RowError(row=row, field="explanation",
                                          message=f"{label}：{v.message}。如数据无误，请在“情况说明”中说明。"))


# -- activities ----------------------------------------------------------------------------------------------------

_WRITE_FIELDS = [*activity_services.FIELDS, "version", "source", "updated_by", "updated_at"]


class _Locks:
    """The unit's approved returns, loaded once, so checking 100 000 activity dates costs no query each."""

    def __init__(self, unit):
        self.unit = unit
        self.spans = list(Submission.objects.filter(region_id=unit.region_id, unit=unit, status__in=LOCKED_STATUSES)
                          .values_list("period_start", "period_end", "period_id", "data_set__name"))

    def check(self, day: date) -> None:
        for start, end, period_id, name in self.spans:
            if start <= day <= end:
                raise ApplicationError(f"{self.unit.name}{period_id}“{name}”已审核，{day:%Y-%m-%d} 的活动已锁定，不能修改。",
                                       field="start_date")


def activity_bulk_upsert(*, actor, unit, rows: list[ActivityRow], reason: str = "", dry_run: bool = False,
                         progress=None) -> BulkResult:
    """Upsert many activities of one unit: matched on ``external_key`` when given, else on (title, start date).

    ``progress(done, total)`` is called now and then while rows are checked.
    """
    require_writer(scope_of(actor), unit.region, unit)
    result, locks = BulkResult(), _Locks(unit)
    by_key, by_external = _existing(unit, rows)
    seen: dict[tuple, int] = {}
    new, changed = [], []
    now = timezone.now()
    for n, r in enumerate(rows, start=1):
        if progress and n % 5000 == 0:
            progress(n, len(rows))
        external = (r.data.get("external_key") or "").strip()
        raw_key = ((r.data.get("title") or "").strip()[:200], r.data.get("start_date"))
        current = by_external.get(external) if external else by_key.get(raw_key)
        # Fields the row does not carry keep their stored value (e.g. a 纲要条目 set in the form).
        base = {k: getattr(current, k) for k in activity_services.FIELDS} if current else {}
        try:
            clean = activity_services._clean({**base, **r.data}, unit=unit)
            locks.check(clean["start_date"])
            if current is not None:
                locks.check(current.start_date)
        except ApplicationError as exc:
            _error(result, r.row, exc)
            continue
        key = (clean["title"], clean["start_date"])
        if key in seen:
            result.errors.append(RowError(row=r.row, field="title", message=f"活动“{clean['title']}”"
                                          f"（{clean['start_date']:%Y-%m-%d}）与第 {seen[key]} 行重复。"))
            continue
        seen[key] = r.row
        if current is None:
            if key in by_key:  # an external key that is new, on an activity already registered by name and date
                result.errors.append(RowError(row=r.row, field="title", message=f"{unit.name}已登记 "
                                              f"{clean['start_date']:%Y-%m-%d} 的“{clean['title']}”，请勿重复登记。"))
                continue
            new.append((clean, r))  # built as a model only when written (a dry run only counts)
            continue
        old = dict(base)
        for k in activity_services.FIELDS:
            setattr(current, k, clean.get(k))
        diff = audit.model_changes(current, old, activity_services.FIELDS)
        if not diff:
            result.unchanged += 1
            continue
        current.version += 1
        current.source, current.updated_by, current.updated_at = r.source[:300], actor, now
        changed.append((current, r, diff))
    if result.errors or dry_run:
        result.created, result.updated = (0, 0) if result.errors else (len(new), len(changed))
        return result

    with transaction.atomic():
        _insert_activities(actor, unit, new, reason, now)
        Activity.objects.bulk_update([a for a, _, _ in changed], _WRITE_FIELDS, batch_size=1000)
        AuditEvent.objects.bulk_create([_event(actor, a, "update", diff, r, reason) for a, r, diff in changed],
                                       batch_size=2000)
    result.created, result.updated = len(new), len(changed)
    return result


_ACTIVITY_COLUMNS = ["created_at", "updated_at", "unit", "region", "kind", "title", "start_date", "end_date",
                     "population", "framework_item", "task", "sessions", "participants", "people", "materials",
                     "funds", "place", "notes", "external_key", "version", "source", "updated_by"]
_EVENT_COLUMNS = ["at", "actor", "action", "object_type", "object_id", "object_repr", "changes", "reason", "source",
                  "region_path"]


def _insert_activities(actor, unit, new: list, reason: str, now) -> None:
    """New activities and their audit events through executemany.

    The ORM's bulk_create builds a model per row and, on SQLite, one INSERT per ~50 rows (the 999-parameter
    limit); plain executemany is several times faster and the rows are the same.
    """
    if not new:
        return
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    rows = []
    for clean, r in new:
        rows.append([now, now, unit.pk, clean["region"].pk, clean["kind"], clean["title"], clean["start_date"],
                     clean["end_date"], clean["population"], _pk(clean.get("framework_item")), _pk(clean.get("task")),
                     clean["sessions"], clean["participants"], clean["people"], clean["materials"], clean["funds"],
                     clean["place"], clean["notes"], clean["external_key"], 1, r.source[:300], actor_id])
    _executemany(Activity, _ACTIVITY_COLUMNS, rows)
    days = [clean["start_date"] for clean, _ in new]
    ids = {(t, d): pk for pk, t, d in Activity.objects.filter(unit=unit, start_date__gte=min(days),
                                                              start_date__lte=max(days))
           .values_list("id", "title", "start_date")}
    events = []
    for clean, r in new:
        changes = {k: [None, audit._plain(clean.get(k))] for k in activity_services.FIELDS}
        title, day = clean["title"], clean["start_date"]
        events.append([now, actor_id, "create", activity_services.OBJECT_TYPE, str(ids[(title, day)]),
                       f"{unit.name} {day:%Y-%m-%d} {title}"[:300], changes, reason, r.source[:300],
                       clean["region"].path])
    _executemany(AuditEvent, _EVENT_COLUMNS, events)


def _pk(obj):
    return obj.pk if obj is not None else None


def _executemany(model, names: list[str], rows: list[list], chunk: int = 5000) -> None:
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(n) for n in names]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    # Only the types a driver cannot take as they are go through the field's own adaptation.
    adapt = [i for i, f in enumerate(fields) if f.get_internal_type() in
             ("DateField", "DateTimeField", "DecimalField", "JSONField")]
    memo: dict = {}  # dates, timestamps and amounts repeat a lot; adapt each distinct value once
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            batch = rows[start:start + chunk]
            for row in batch:
                for i in adapt:
                    value = row[i]
                    if isinstance(value, (dict, list)):
                        row[i] = fields[i].get_db_prep_save(value, connection)
                        continue
                    key = (i, value)
                    if key not in memo:
                        memo[key] = fields[i].get_db_prep_save(value, connection)
                    row[i] = memo[key]
            cursor.executemany(sql, batch)


def _existing(unit, rows: list[ActivityRow]) -> tuple[dict, dict]:
    """The unit's stored activities that rows may match: by (title, start date) and by external key."""
    days = [r.data.get("start_date") for r in rows if isinstance(r.data.get("start_date"), date)]
    externals = {(r.data.get("external_key") or "").strip() for r in rows} - {""}
    qs = Activity.objects.filter(unit=unit).select_related("region")
    found = list(qs.filter(start_date__gte=min(days), start_date__lte=max(days))) if days else []
    by_key = {(a.title, a.start_date): a for a in found}
    by_external = {a.external_key: a for a in found if a.external_key}
    missing = externals - set(by_external)
    if missing:
        for a in qs.filter(external_key__in=missing):
            by_external[a.external_key] = a
            by_key.setdefault((a.title, a.start_date), a)
    return by_key, by_external


def _event(actor, activity, action, changes, row: ActivityRow, reason) -> AuditEvent:
    return AuditEvent(actor=actor if getattr(actor, "is_authenticated", False) else None, action=action,
                      object_type=activity_services.OBJECT_TYPE, object_id=str(activity.pk),
                      object_repr=f"{activity.unit.name} {activity}"[:300], changes=changes, reason=reason,
                      source=row.source[:300], region_path=activity.region.path)
