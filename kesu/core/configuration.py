"""The configuration: rarely-changing reference data, kept in the process while the database says it is unchanged.

The configuration is what offices edit now and then and many requests read again: regions, units, indicators, data
sets with their indicators and units, validation rules, activity and outlier rules (``WATCHED``: the tables those
reads query; kesu/collection/tests/test_configuration_version.py checks that every read kept here stays within them).
``held(key, compute)`` reads one piece of it; what happens depends on the block around it:

- no block: it just computes (a page that reads the configuration once gains nothing from keeping it);
- ``configuration_held()`` — a bulk run (the demo's years of returns, an import of many reporters): each key is read
  once and kept, private to the block, until the block ends; no token is read;
- ``configuration_held(per_version=True)`` — one request: a figure write (grid cell, API call) or an analytics read
  (used as a view decorator on the analytics pages): the version token is read once (one statement) and each key is
  taken from what this process kept under that token, read only on a miss. Those values are shared by the
  process's requests and threads, so model instances among them are handed out as copies (with their cached
  related rows): a caller's change to one never reaches another request. At most ``KEPT_ENTRIES`` values are kept,
  the least recently used dropped first, so an old token's values age out.

The token is kept by the database itself. Triggers on the watched tables (installed by migration ``core.0003`` and
again after every ``migrate``) write a new random token into the one row of ``TABLE`` in the same transaction as any
INSERT, UPDATE or DELETE (and TRUNCATE on PostgreSQL): whatever writes — a service, the admin, ``QuerySet.update``,
``bulk_create``, a loader, raw SQL, ``kesu restore``, another process — no code has to remember to advance it. After
``migrate`` the triggers are created again where missing (SQLite drops a table's triggers when a migration rebuilds
the table) and the token is replaced (a schema change fires no trigger).

Why a kept value is as fresh as a plain read. The token is read before any key is computed, so a value kept under
token T was read when T or a later configuration was committed: never older than T. A request that read T while a
change was being committed elsewhere uses T's configuration — the same it would have read had its statements run a
moment earlier; under READ COMMITTED (PostgreSQL) and SQLite's single writer a plain read gives no more than that
(each statement sees what was committed when it started, and a figure write takes no lock a configuration change
waits for, so a save checked against the configuration being replaced can commit just after it either way). Once
the change is committed its new token is what every later read gets, so no request that starts afterwards sees the
old configuration. A token is random, not a counter: a change rolled back (or a test's transaction) never leaves its
token to name another configuration later. The token is read from the database the computations read from
(``router.db_for_read``: a replica for the analytics pages, see kesu/core/replicas.py), so a lagging replica's
token names what that replica holds.

A write of the configuration inside an open block, in this process. The triggers give that transaction a new token,
but the open block already holds the old one (or, in a bulk block, values read before the write). So while a block
is open it watches the statements this thread sends to the primary (``connection.execute_wrapper``): one that
INSERTs, UPDATEs, DELETEs or TRUNCATEs a watched table detaches the block — the rest of it reads afresh into a store
of its own, never into the shared one (what it reads now may not be committed, so it must not be kept under a token
other requests read). That covers every door in this process without a list of signals or calls to remember; a
write by another process is seen by the next block through the token. The check matches the statement's first words
(Django writes a table as ``INSERT INTO "t"``, ``UPDATE "t"``, ``DELETE FROM "t"``); a write hidden in a ``WITH``
clause or a database function is not recognised, and none is made here.

Only configuration is kept, never figures, returns or statuses.
"""

import re
import threading
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, router
from django.db.models import Model
from django.db.models.base import ModelState

from kesu.regions.models import Region

TABLE = "core_configuration_version"
WATCHED = (
    "regions_region", "orgs_unit", "plans_indicator",
    "collection_dataset", "collection_dataset_indicators", "collection_dataset_units",
    "collection_validationrule", "collection_activityindicatorrule", "collection_outlierrule",
)
NEW_TOKEN = {"sqlite": "lower(hex(randomblob(16)))", "postgresql": "md5(gen_random_uuid()::text)"}
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
KEPT_ENTRIES = 8192  # (token, key) pairs: one per reporter for the covering data sets, a few per analytics scope

_WRITE = re.compile(r'\s*(?:(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+'
                    r'(?:ONLY\s+)?"?(?P<table>\w+)|\s*TRUNCATE\b', re.IGNORECASE)
_NOT_COPIED = {"_state", "_prefetched_objects_cache"}
_MISSING = object()
_block: ContextVar["_Block | None"] = ContextVar("configuration_held", default=None)
_lock = threading.Lock()
_kept: OrderedDict = OrderedDict()  # (token, key) → value, least recently used first


class _Block:
    """An open ``configuration_held()``: the token it reads under, or (no token, or detached) a private store."""

    def __init__(self, token: str | None):
        self.token = token
        self.private: dict = {}

    def watch(self, execute, sql, params, many, context):
        if writes_watched(sql):
            self.token, self.private = None, {}
        return execute(sql, params, many, context)


def writes_watched(sql: str) -> bool:
    """Does this statement write one of the watched tables (first words only, see the module's docstring)?"""
    found = _WRITE.match(sql)
    if found is None:
        return False
    table = found.group("table")
    if table is None:  # TRUNCATE names its tables in a list
        return any(name in sql for name in WATCHED)
    return table.lower() in WATCHED


def version() -> str | None:
    """The current token, read where the configuration is read from (None if its row is missing: nothing is shared)."""
    with connections[router.db_for_read(Region)].cursor() as cur:
        cur.execute(f"SELECT token FROM {TABLE} WHERE id = 1")
        row = cur.fetchone()
    return row[0] if row else None


@contextmanager
def configuration_held(*, per_version: bool = False):
    """Within the block, configuration reads are done once per key (nested blocks share the outer one's)."""
    if _block.get() is not None:
        yield
        return
    block = _Block(version() if per_version else None)
    reset = _block.set(block)
    try:
        with connections[router.db_for_write(Region)].execute_wrapper(block.watch):
            yield
    finally:
        _block.reset(reset)


def held(key: tuple, compute):
    """``compute()``, kept under ``key`` while a ``configuration_held()`` block is open."""
    block = _block.get()
    if block is None:
        return compute()
    token = block.token
    if token is None:
        return _private(block, key, compute)
    with _lock:
        value = _kept.get((token, key), _MISSING)
        if value is not _MISSING:
            _kept.move_to_end((token, key))
    if value is _MISSING:
        value = compute()
        if block.token != token:  # the block wrote the configuration while computing: not to be shared
            block.private[key] = value
            return value
        with _lock:
            _kept[(token, key)] = value
            while len(_kept) > KEPT_ENTRIES:
                _kept.popitem(last=False)
    return _copied(value)


def _private(block: _Block, key: tuple, compute):
    value = block.private.get(key, _MISSING)
    if value is _MISSING:
        value = block.private[key] = compute()
    return value


def forget() -> None:
    """Drop what this process kept (tests, and the bench's cold runs)."""
    with _lock:
        _kept.clear()


# -- copies of shared values -----------------------------------------------------------------------------------------


def _copied(value, copies: dict | None = None):
    """``value`` with every model instance in it copied (``copies``: original id → copy, so that a related row
    cached both ways, as a one-to-one's select_related leaves it, is copied once and the copies point at each other)."""
    if isinstance(value, list):
        copies = {} if copies is None else copies
        return [_copied(v, copies) for v in value]
    if isinstance(value, dict):
        copies = {} if copies is None else copies
        return {k: _copied(v, copies) for k, v in value.items()}
    if isinstance(value, Model):
        copies = {} if copies is None else copies
        return copies.get(id(value)) or _instance_copy(value, copies)
    return value  # numbers, strings, and sets or tuples of them


def _instance_copy(instance: Model, copies: dict) -> Model:
    """The instance's field values in a new instance with a state of its own, its cached related rows (select_related,
    prefetch_related) copied too: what ``copy.copy`` gives, at a fraction of its cost (it goes through pickling)."""
    clone = copies[id(instance)] = Model.__new__(type(instance))
    clone.__dict__ = {k: v for k, v in instance.__dict__.items() if k not in _NOT_COPIED}
    clone._state = state = ModelState()
    state.db, state.adding = instance._state.db, instance._state.adding
    related = instance._state.__dict__.get("fields_cache")
    if related:
        state.fields_cache = {name: _copied(row, copies) for name, row in related.items()}
    prefetched = instance.__dict__.get("_prefetched_objects_cache")
    if prefetched:
        clone._prefetched_objects_cache = {name: _queryset_copy(qs, copies) for name, qs in prefetched.items()}
    return clone


def _queryset_copy(qs, copies: dict):
    clone = qs._chain()
    clone._result_cache = [_copied(row, copies) for row in qs._result_cache]
    clone._prefetch_done = True
    return clone


# -- the token's table and triggers ----------------------------------------------------------------------------------


def install(connection, tables=WATCHED) -> None:
    """Create the token's table (with a first token) and the triggers on ``tables`` (migration core.0003)."""
    token = _new_token_sql(connection)
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, token varchar(32) NOT NULL)")
        cur.execute(f"INSERT INTO {TABLE} (id, token) VALUES (1, {token})")
    create_triggers(connection, tables)


def remove(connection, tables=WATCHED) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            for table in tables:
                for op in OPERATIONS:
                    cur.execute(f"DROP TRIGGER IF EXISTS kesu_configuration_{table}_{op.lower()}")
        else:
            for table in tables:
                cur.execute(f"DROP TRIGGER IF EXISTS kesu_configuration_changed ON {table}")
            cur.execute("DROP FUNCTION IF EXISTS kesu_configuration_changed()")
        cur.execute(f"DROP TABLE IF EXISTS {TABLE}")


def create_triggers(connection, tables=WATCHED) -> None:
    """Triggers that replace the token on every write of ``tables`` (those that exist), created where missing."""
    token = _new_token_sql(connection)
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":  # row triggers only: one cheap UPDATE of one row per changed row
            for table in (t for t in tables if t in existing):
                for op in OPERATIONS:
                    cur.execute(f"CREATE TRIGGER IF NOT EXISTS kesu_configuration_{table}_{op.lower()} AFTER {op} "
                                f"ON {table} BEGIN UPDATE {TABLE} SET token = {token} WHERE id = 1; END")
            return
        cur.execute(f"CREATE OR REPLACE FUNCTION kesu_configuration_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN UPDATE {TABLE} SET token = {token} WHERE id = 1; RETURN NULL; END $$")
        cur.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'kesu_configuration_changed'")
        triggered = {row[0] for row in cur.fetchall()}
        for table in (t for t in tables if t in existing and t not in triggered):  # per statement, TRUNCATE too
            cur.execute(f"CREATE TRIGGER kesu_configuration_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION kesu_configuration_changed()")


def migrated(app_config, using, **kwargs) -> None:  # noqa: ARG001 (post_migrate's signature)
    """After ``migrate`` (sent once per app; acted on once, for core): triggers where missing, and a new token."""
    connection = connections[using]
    if app_config.label != "core" or TABLE not in connection.introspection.table_names():
        return  # migrated back to before the token's table: nothing to keep fresh
    create_triggers(connection)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET token = {_new_token_sql(connection)} WHERE id = 1")


def _new_token_sql(connection) -> str:
    token = NEW_TOKEN.get(connection.vendor)
    if token is None:
        raise RuntimeError(f"kesu supports SQLite and PostgreSQL, not {connection.vendor}")
    return token
