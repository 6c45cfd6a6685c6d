"""Bulk writes for imports: validate every row in memory first, then write all of them in one transaction.

The checks are the ones the single-row services run (``activities.clean_activity``, ``parse_number``, range, lock
and rule checks), called per row, against data loaded once per call (no query per row); only the writing is batched
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

from ..models import LOCKED_STATUSES, Activity, Submission
from ..reporting import reopen_hint
from . import activities as activity_services
from . import figures
from .common import parse_period, require_writer, scope_of
from .figures import RowError


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
                      dry_run: bool = False, door: str = "excel", mode: str = figures.COLLECT) -> BulkResult:
    """Upsert many figures of one reporter and period through the figure service (``figures.figures_write``).

    Rules are checked against the whole file at once (every row's new figure in place), so the order of the rows
    never matters; a file with any problem writes nothing. ``mode=HISTORY`` loads a year kesu never collected as
    approved history (the figure service allows it to the office that manages the region only).
    """
    period = parse_period(period)
    if mode == figures.COLLECT:
        require_writer(scope_of(actor), region, unit)
    if unit is not None and unit.region_id != region.pk:
        raise ApplicationError(f"{unit.name}不属于{region.name}。", field="unit")
    written = figures.figures_write(
        actor=actor, door=door, reason=reason, dry_run=dry_run, mode=mode,
        figures=[figures.Figure(indicator=r.indicator, region=region, unit=unit, period=period, value=r.value,
                                explanation=r.explanation, source=r.source, row=r.row) for r in rows])
    return BulkResult(created=written.created, updated=written.updated, unchanged=written.unchanged,
                      errors=written.errors)


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
                raise ApplicationError(f"{self.unit.name}{period_id}“{name}”已审核，{day:%Y-%m-%d} 的活动已锁定，不能修改。"
                                       f"{reopen_hint('approved', self.unit.region, self.unit)}", field="start_date")


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
            clean = activity_services.clean_activity({**base, **r.data}, unit=unit)
        except ApplicationError as exc:
            _error(result, r.row, exc)
            continue
        key = (clean["title"], clean["start_date"])
        if key in seen:
            result.errors.append(RowError(row=r.row, field="title", message=f"活动“{clean['title']}”"
                                          f"（{clean['start_date']:%Y-%m-%d}）与第 {seen[key]} 行重复。"))
            continue
        seen[key] = r.row
        diff = {k: [audit.plain(base[k]), audit.plain(clean.get(k))] for k in FIELDS
                if base[k] != clean.get(k)} if current is not None else None
        if current is not None and not diff:
            # An unchanged row changes nothing, so an approved year's lock does not refuse it: the template of a
            # locked year, downloaded and uploaded back as it is, is a no-op.
            result.unchanged += 1
            continue
        try:
            locks.check(clean["start_date"])
            if current is not None:
                locks.check(base["start_date"])
        except ApplicationError as exc:
            _error(result, r.row, exc)
            continue
        if current is None:
            if key in by_key:  # an external key that is new, on an activity already registered by name and date
                result.errors.append(RowError(row=r.row, field="title", message=f"{unit.name}已登记 "
                                              f"{clean['start_date']:%Y-%m-%d} 的“{clean['title']}”，请勿重复登记。"))
                continue
            new.append((clean, r))
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
              for pk, (clean, r) in zip(ids, new, strict=True)]
    _insert(AuditEvent, _EVENT_COLUMNS, events)


_AS_IS = frozenset({str, int, float, bool, type(None)})  # what audit.plain keeps; anything else becomes str()


def _created(clean: dict) -> dict:
    """The audit changes of a new activity, {field: [None, value]}, as ``audit.model_changes`` records them."""
    values = [clean.get(k) for k in FIELDS]
    return {k: [None, v if type(v) in _AS_IS else str(v)] for k, v in zip(FIELDS, values, strict=True)}


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
        rows = [[i, *row] for i, row in zip(ids, rows, strict=True)]
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
        values = dict(zip(FIELDS, t[2:], strict=True))
        for k in _RELATED:
            values[k] = objects[k].get(values[k])
        stored = _Stored(pk=t[0], version=t[1], fields=values)
        by_key.setdefault((values["title"], values["start_date"]), stored)
        if values["external_key"]:
            by_external[values["external_key"]] = stored
    return by_key, by_external
