"""Bulk writes for imports: validate every row in memory first, then write all of them in one transaction.

The checks are the ones the single-row services run (``activities._clean``, ``parse_number``, range, lock and rule
checks), called per row, against data loaded once per call (no query per row); only the writing is batched
(multi-row INSERTs, UPDATEs by primary key sent together, one audit event per changed row inserted in bulk).
A call either writes every row or — when any row has a problem — none, and returns every row's problem.
Unchanged rows are not touched and leave no audit event, so importing the same file twice changes nothing.
"""

import json
from dataclasses import dataclass, field
from datetime import date

from django.db import connections, router, transaction
from django.utils import timezone

from kesu.core import audit
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent

from .. import validation
from ..models import LOCKED_STATUSES, Activity, ActivityIndicatorRule, DataSet, IndicatorValue, Submission
from ..reporting import data_sets_for
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
    changes: list[tuple[int, dict]] = field(default_factory=list)  # (row, {field: [old, new]}) of updated rows

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
    never matters — a row-by-row save could fail on a half-updated state. A real run checks and writes in ONE
    transaction holding the reporter's returns and stored figures locked, so neither a submit/approval nor another
    writer can slip in between the check and the write.
    """
    period = parse_period(period)
    require_writer(scope_of(actor), region, unit)
    if unit is not None and unit.region_id != region.pk:
        raise ApplicationError(f"{unit.name}不属于{region.name}。", field="unit")
    if dry_run:
        return _value_bulk(actor=actor, region=region, unit=unit, period=period, rows=rows, reason=reason,
                           dry_run=True)
    with transaction.atomic():
        # Lock the reporter's existing returns in one ordered statement first, so two imports never deadlock.
        list(Submission.objects.select_for_update().filter(region=region, unit=unit, period_id=period.id)
             .order_by("pk").values_list("pk", flat=True))
        return _value_bulk(actor=actor, region=region, unit=unit, period=period, rows=rows, reason=reason,
                           dry_run=False)


def _value_bulk(*, actor, region, unit, period, rows, reason, dry_run) -> BulkResult:
    result = BulkResult()
    derived = set(ActivityIndicatorRule.objects.values_list("indicator_id", flat=True))
    parsed, seen, coverings = [], {}, {}
    guard = _Guard(region, unit, period)
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
            covering = guard.check(indicator)
        except ApplicationError as exc:
            _error(result, r.row, exc)
            continue
        parsed.append((r, indicator, number))
        coverings[indicator.pk] = covering
    if result.errors:
        return result

    stored_rows = IndicatorValue.objects.filter(indicator_id__in=[i.pk for _, i, _ in parsed], region=region,
                                                unit=unit, period_id=period.id)
    if not dry_run:
        stored_rows = stored_rows.select_for_update().order_by("pk")
    stored = {v.indicator_id: v for v in stored_rows}
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

    _write_values(actor, region, unit, period, changes, reason, result)  # inside value_bulk_upsert's transaction
    drafts: dict = {}
    for _, indicator, _, _, _ in changes:
        drafts.update(coverings[indicator.pk])
    mark_draft(region=region, unit=unit, period=period, covering=drafts)
    return result


class _Guard:
    """``guard_open`` for many indicators of one reporter: the covering data sets are looked up once, and each
    distinct set of them is checked once (not two or three queries per row)."""

    def __init__(self, region, unit, period):
        self.region, self.unit, self.period = region, unit, period
        self.data_sets = data_sets_for(region, unit, period_type=period.kind)
        self.members = set(DataSet.indicators.through.objects.filter(
            dataset_id__in=[ds.pk for ds in self.data_sets]).values_list("dataset_id", "indicator_id"))
        self.outcomes: dict[tuple, object] = {}

    def check(self, indicator) -> dict:
        covering = [ds for ds in self.data_sets if (ds.pk, indicator.pk) in self.members]
        key = tuple(ds.pk for ds in covering)
        if key not in self.outcomes:
            try:
                self.outcomes[key] = guard_open(region=self.region, unit=self.unit, period=self.period,
                                                data_sets=covering)
            except ApplicationError as exc:
                self.outcomes[key] = exc
        outcome = self.outcomes[key]
        if isinstance(outcome, ApplicationError):
            raise outcome
        return outcome


def _write_values(actor, region, unit, period, changes, reason, result: BulkResult) -> None:
    """New figures bulk-created, changed ones bulk-updated, one audit event each (bulk-created too)."""
    now = timezone.now()
    new, changed, events = [], [], []
    for r, indicator, number, explanation, row in changes:
        old = {"value": row.value, "explanation": row.explanation} if row else None
        if row is None:
            row = IndicatorValue(indicator=indicator, region=region, unit=unit, period_id=period.id, version=0)
        row.value, row.explanation = number, explanation
        row.version += 1
        row.source, row.updated_by, row.updated_at = r.source[:300], actor, now
        (new if old is None else changed).append((row, old, r, indicator))
    IndicatorValue.objects.bulk_create([row for row, *_ in new], batch_size=500)
    IndicatorValue.objects.bulk_update([row for row, *_ in changed],
                                       ["value", "explanation", "version", "source", "updated_by", "updated_at"],
                                       batch_size=500)
    actor_or_none = actor if getattr(actor, "is_authenticated", False) else None
    for row, old, r, indicator in new + changed:
        events.append(AuditEvent(
            actor=actor_or_none, action="create" if old is None else "update",
            object_type=value_services.OBJECT_TYPE, object_id=str(row.pk),
            object_repr=f"{reporter_label(region, unit)} {period.label} {indicator.name}"[:300],
            changes=audit.model_changes(row, old, ["value", "explanation"]), reason=reason, source=r.source[:300],
            region_path=region.path))
    AuditEvent.objects.bulk_create(events, batch_size=500)
    result.created, result.updated = len(new), len(changed)


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

FIELDS = activity_services.FIELDS
_RELATED = {"region": "regions.Region", "framework_item": "plans.FrameworkItem", "task": "plans.Task"}
# A stored activity as a plain tuple (no model instance per row): id, version, then FIELDS with foreign keys as ids.
_STORED = ["id", "version", *(f"{k}_id" if k in _RELATED else k for k in FIELDS)]
WRITE_CHUNK = 5000  # rows turned into SQL parameters (and audit events) at a time, to bound memory


class _Locks:
    """The unit's approved returns, loaded once, so checking 100 000 activity dates costs no query each."""

    def __init__(self, unit):
        self.unit = unit
        rows = Submission.objects.filter(region_id=unit.region_id, unit=unit)
        if transaction.get_connection().in_atomic_block:
            # Lock every return of the unit (not only approved ones: an approval may be waiting for this lock), so
            # no return is approved between this check and the write.
            rows = rows.select_for_update(of=("self",)).order_by("pk")
        self.spans = [(start, end, period_id, name) for start, end, period_id, name, status in rows.values_list(
            "period_start", "period_end", "period_id", "data_set__name", "status") if status in LOCKED_STATUSES]

    def check(self, day: date) -> None:
        for start, end, period_id, name in self.spans:
            if start <= day <= end:
                raise ApplicationError(f"{self.unit.name}{period_id}“{name}”已审核，{day:%Y-%m-%d} 的活动已锁定，不能修改。",
                                       field="start_date")


@dataclass
class _Stored:
    """A matched stored activity: its id and version, and its FIELDS with related objects resolved."""

    pk: int
    version: int
    fields: dict


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
    for n, r in enumerate(rows, start=1):
        if progress and n % 5000 == 0:
            progress(n, len(rows))
        external = (r.data.get("external_key") or "").strip()
        raw_key = ((r.data.get("title") or "").strip()[:200], r.data.get("start_date"))
        current = by_external.get(external) if external else by_key.get(raw_key)
        # Fields the row does not carry keep their stored value (e.g. a 纲要条目 set in the form).
        base = current.fields if current else {}
        try:
            clean = activity_services._clean({**base, **r.data}, unit=unit)
            locks.check(clean["start_date"])
            if current is not None:
                locks.check(base["start_date"])
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
            new.append((clean, r))
            continue
        diff = {k: [audit._plain(base[k]), audit._plain(clean.get(k))] for k in FIELDS if base[k] != clean.get(k)}
        if not diff:
            result.unchanged += 1
            continue
        changed.append((current, clean, r, diff))
        result.changes.append((r.row, diff))
    if result.errors or dry_run:
        result.created, result.updated = (0, 0) if result.errors else (len(new), len(changed))
        return result

    with transaction.atomic():
        now = timezone.now()
        for start in range(0, len(new), WRITE_CHUNK):
            _insert_activities(actor, unit, new[start:start + WRITE_CHUNK], reason, now)
        for start in range(0, len(changed), WRITE_CHUNK):
            _update_activities(actor, unit, changed[start:start + WRITE_CHUNK], reason, now)
    result.created, result.updated = len(new), len(changed)
    return result


def _actor_id(actor):
    return actor.pk if getattr(actor, "is_authenticated", False) else None


def _columns(clean: dict) -> list:
    """FIELDS of a cleaned row as column values (related objects as their ids)."""
    return [_pk(clean.get(k)) if k in _RELATED else clean.get(k) for k in FIELDS]


_ACTIVITY_COLUMNS = ["created_at", "updated_at", "unit", "version", "source", "updated_by", *FIELDS]
_UPDATE_COLUMNS = ["updated_at", "version", "source", "updated_by", *FIELDS]
_EVENT_COLUMNS = ["at", "actor", "action", "object_type", "object_id", "object_repr", "changes", "reason", "source",
                  "region_path"]


def _event_row(now, actor_id, action, pk, unit, clean, changes, reason, source) -> list:
    """One audit event, as the single-row services write it (``object_repr`` is the unit and ``str(activity)``)."""
    return [now, actor_id, action, activity_services.OBJECT_TYPE, str(pk),
            f"{unit.name} {clean['start_date']:%Y-%m-%d} {clean['title']}"[:300], changes, reason, source[:300],
            clean["region"].path]


def _insert_activities(actor, unit, new: list, reason: str, now) -> None:
    """New activities (multi-row INSERT … RETURNING id) and one audit event each, inserted in bulk."""
    if not new:
        return
    actor_id = _actor_id(actor)
    rows = [[now, now, unit.pk, 1, r.source[:300], actor_id, *_columns(clean)] for clean, r in new]
    ids = _insert(Activity, _ACTIVITY_COLUMNS, rows, returning=True)
    events = [_event_row(now, actor_id, "create", pk, unit, clean, _created(clean), reason, r.source)
              for pk, (clean, r) in zip(ids, new)]
    _insert(AuditEvent, _EVENT_COLUMNS, events)


_AS_IS = frozenset({str, int, float, bool, type(None)})  # what audit._plain keeps; anything else becomes str()


def _created(clean: dict) -> dict:
    """The audit changes of a new activity, {field: [None, value]}, as ``audit.model_changes`` records them."""
    values = [clean.get(k) for k in FIELDS]
    return {k: [None, v if type(v) in _AS_IS else str(v)] for k, v in zip(FIELDS, values)}


def _update_activities(actor, unit, changed: list, reason: str, now) -> None:
    """Changed activities (one UPDATE by primary key each, sent with executemany) and their audit events."""
    if not changed:
        return
    actor_id = _actor_id(actor)
    rows = [[now, current.version + 1, r.source[:300], actor_id, *_columns(clean), current.pk]
            for current, clean, r, _ in changed]
    connection = connections[router.db_for_write(Activity)]
    fields = [Activity._meta.get_field(n) for n in _UPDATE_COLUMNS]
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(Activity._meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "
           f"WHERE {quote('id')} = %s")
    _adapt(fields + [Activity._meta.pk], rows, connection)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    _insert(AuditEvent, _EVENT_COLUMNS, [_event_row(now, actor_id, "update", current.pk, unit, clean, diff, reason,
                                                    r.source) for current, clean, r, diff in changed])


def _pk(obj):
    return obj.pk if obj is not None else None


def _adapt(fields: list, rows: list[list], connection, *, json_text: bool = False) -> None:
    """Pass values through the field's own adaptation where a driver cannot take them as they are.

    ``json_text``: JSON as its text (what the ORM sends on SQLite; COPY on PostgreSQL parses it into jsonb).
    """
    adapt = [i for i, f in enumerate(fields) if f.get_internal_type() in
             ("DateField", "DateTimeField", "DecimalField", "JSONField")]
    memo: dict = {}  # dates, timestamps and amounts repeat a lot; adapt each distinct value once
    for row in rows:
        for i in adapt:
            value = row[i]
            if isinstance(value, (dict, list)):
                row[i] = (json.dumps(value, cls=fields[i].encoder) if json_text
                          else fields[i].get_db_prep_save(value, connection))
                continue
            key = (i, value)
            if key not in memo:
                memo[key] = fields[i].get_db_prep_save(value, connection)
            row[i] = memo[key]


def _params_limit(connection) -> int:
    """Bound parameters one statement may carry (SQLite reports its real limit; Django assumes 999)."""
    getlimit = getattr(connection.connection, "getlimit", None)
    if getlimit is not None:
        import sqlite3

        return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535


def _insert(model, names: list[str], rows: list[list], *, returning: bool = False) -> list:
    """Insert ``rows``; with ``returning``, the new ids in the order of ``rows``. No model instance per row.

    PostgreSQL: COPY (the driver formats rows in C; array or VALUES parameters would be escaped or parsed in Python
    per value), with the ids drawn from the table's sequence first when they are wanted. SQLite: multi-row VALUES
    up to its real parameter limit (bulk_create assumes 999) with RETURNING, which gives the ids in row order.
    """
    connection = connections[router.db_for_write(model)]
    connection.ensure_connection()
    fields = [model._meta.get_field(n) for n in names]
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    _adapt(fields, rows, connection, json_text=True)
    if not rows:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _copy(cursor, table, pk, [f.column for f in fields], rows, quote, returning)
        head = f"INSERT INTO {quote(table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
        tail = f" RETURNING {quote(pk)}" if returning else ""
        one = f"({', '.join(['%s'] * len(fields))})"
        per = max(1, min(1000, _params_limit(connection) // len(fields)))
        ids = []
        for i in range(0, len(rows), per):
            batch = rows[i:i + per]
            cursor.execute(head + ", ".join([one] * len(batch)) + tail, [v for row in batch for v in row])
            if returning:
                ids.extend(pk for (pk,) in cursor.fetchall())
        return ids


def _copy(cursor, table: str, pk: str, columns: list[str], rows: list[list], quote, returning: bool) -> list:
    ids = []
    if returning:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [table, pk, len(rows)])
        ids = [i for (i,) in cursor.fetchall()]
        columns = [pk, *columns]
        rows = [[i, *row] for i, row in zip(ids, rows)]
    with cursor.cursor.copy(f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return ids


def _related(model_label: str, ids: set) -> dict:
    from django.apps import apps

    ids.discard(None)
    return apps.get_model(model_label).objects.in_bulk(list(ids)) if ids else {}


def _existing(unit, rows: list[ActivityRow]) -> tuple[dict, dict]:
    """The unit's stored activities that rows may match: by (title, start date) and by external key.

    Read as plain tuples; the few related objects they point to (places, tasks, 纲要条目) are loaded once each.
    """
    days = [r.data.get("start_date") for r in rows if isinstance(r.data.get("start_date"), date)]
    externals = {(r.data.get("external_key") or "").strip() for r in rows} - {""}
    qs = Activity.objects.filter(unit=unit).order_by()
    found = list(qs.filter(start_date__gte=min(days), start_date__lte=max(days)).values_list(*_STORED)) if days else []
    missing = externals - {t[-1] for t in found if t[-1]}
    if missing:
        known = {t[0] for t in found}
        found += [t for t in qs.filter(external_key__in=missing).values_list(*_STORED) if t[0] not in known]
    offsets = {k: 2 + FIELDS.index(k) for k in _RELATED}
    objects = {k: _related(label, {t[offsets[k]] for t in found}) for k, label in _RELATED.items()}
    by_key, by_external = {}, {}
    for t in found:
        values = dict(zip(FIELDS, t[2:]))
        for k in _RELATED:
            values[k] = objects[k].get(values[k])
        stored = _Stored(pk=t[0], version=t[1], fields=values)
        by_key.setdefault((values["title"], values["start_date"]), stored)
        if values["external_key"]:
            by_external[values["external_key"]] = stored
    return by_key, by_external
