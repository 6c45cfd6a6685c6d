"""Backup and restore of a whole installation: every table, every uploaded file and generated report, one archive.

The archive is a tar.gz::

    kesu-backup/db/001-regions.region.jsonl     one JSON object per row ({column attname: value}), tables in
    kesu-backup/db/002-….jsonl                  dependency order (a table comes after the tables it points to)
    kesu-backup/media/…                         every file under MEDIA_ROOT (uploads, imports, generated reports)
    kesu-backup/manifest.json                   format, time, database, applied migrations, row counts, SHA-256

JSON Lines of plain values (decimals and times as text) are portable: an archive made on SQLite restores into
PostgreSQL and back. The tables are read in ONE read transaction (REPEATABLE READ on PostgreSQL, a WAL read
snapshot on SQLite), so a backup taken while people work is consistent and does not block them.

Restore checks every checksum before it writes anything, refuses an instance that already holds data, loads all
rows in one transaction with their original ids, and resets PostgreSQL's id sequences. The content types and
permissions that ``migrate`` creates on every instance are matched by name (their ids may differ), not copied.
"""

import base64
import datetime
import decimal
import hashlib
import io
import json
import os
import tarfile
import tempfile
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .exceptions import ApplicationError

FORMAT = "kesu-backup/1"
ROOT = "kesu-backup"
MANIFEST = f"{ROOT}/manifest.json"
# Not data: who is logged in, the background task queue (a restored instance starts with an empty queue). The
# configuration's version token is no model (kesu/core/configuration.py): the restore's inserts into the watched
# tables fire its triggers, so the restored configuration gets a new token and no process keeps the old one's values.
SKIPPED = {"sessions.session", "django_tasks_db.dbtaskresult"}
# Created by ``migrate`` on every instance: matched by natural key on restore, never inserted.
MATCHED = {"contenttypes.contenttype", "auth.permission"}
CHUNK = 1 << 20


# -- which tables, in which order -----------------------------------------------------------------------------------


def backed_up_models() -> list[type[models.Model]]:
    """Every stored table (many-to-many link tables included) in dependency order."""
    found = {m._meta.label_lower: m for m in apps.get_models(include_auto_created=True)
             if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in SKIPPED}
    order, state = [], {}

    def visit(label: str) -> None:
        if state.get(label):
            return  # done, or on the current path (a cycle; deferred constraints cover it)
        state[label] = "visiting"
        for f in found[label]._meta.concrete_fields:
            target = f.related_model._meta.label_lower if f.is_relation and f.related_model else None
            if target in found and target != label:
                visit(target)
        state[label] = "done"
        order.append(found[label])

    for label in sorted(found):
        visit(label)
    return order


# -- values ↔ JSON ----------------------------------------------------------------------------------------------------


def _encode(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(f: models.Field, value):
    if value is None or isinstance(f, models.JSONField):
        return value
    if isinstance(f, models.DurationField):
        return datetime.timedelta(seconds=value)
    return f.to_python(value)


# -- a consistent read ------------------------------------------------------------------------------------------------


@contextmanager
def read_snapshot():
    """Every query inside sees the database as of one moment, and writers are not blocked."""
    if connection.in_atomic_block:
        yield  # already inside a transaction (its snapshot)
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # Django opens SQLite transactions as BEGIN IMMEDIATE (a write lock); a backup needs only a read snapshot,
        # which a deferred transaction takes at its first read and which, in WAL mode, never blocks a writer.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
    else:
        with transaction.atomic():
            yield


# -- backup -----------------------------------------------------------------------------------------------------------


@dataclass
class Summary:
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    missing_files: list = field(default_factory=list)


class _Hashing(io.RawIOBase):
    """Reads through a file while hashing what tarfile copies into the archive."""

    def __init__(self, fh):
        self.fh, self.sha = fh, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size=-1):
        data = self.fh.read(size)
        self.sha.update(data)
        return data


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o644, int(timezone.now().timestamp())
    return info


def _dump_table(tar: tarfile.TarFile, model, name: str) -> dict:
    fields = model._meta.concrete_fields
    attnames = [f.attname for f in fields]
    sha, rows = hashlib.sha256(), 0
    with tempfile.TemporaryFile() as fh:
        query = model._base_manager.order_by("pk").values_list(*attnames)
        for values in query.iterator(chunk_size=2000):
            line = json.dumps({a: _encode(v) for a, v in zip(attnames, values, strict=True)}, ensure_ascii=False,
                              separators=(",", ":")).encode("utf-8") + b"\n"
            fh.write(line)
            sha.update(line)
            rows += 1
        size = fh.tell()
        fh.seek(0)
        tar.addfile(_member(name, size), fh)
    return {"model": model._meta.label_lower, "file": name, "rows": rows, "sha256": sha.hexdigest()}


def _referenced_files() -> set[str]:
    names = set()
    for model in backed_up_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                names.update(n for n in model._base_manager.exclude(**{f.attname: ""})
                             .values_list(f.attname, flat=True) if n)
    return names


def backup(path: Path) -> Summary:
    """Write the archive to ``path`` (through a temporary name, so a failed backup never leaves a half file)."""
    path = Path(path)
    media_root = Path(settings.MEDIA_ROOT)
    partial = path.with_name(path.name + ".partial")
    summary = Summary()
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "database": connection.vendor,
                "tables": [], "files": []}
    with tarfile.open(partial, "w:gz") as tar:
        with read_snapshot():
            manifest["migrations"] = sorted([app, name] for app, name in
                                            MigrationRecorder(connection).applied_migrations())
            for i, model in enumerate(backed_up_models(), start=1):
                entry = _dump_table(tar, model, f"{ROOT}/db/{i:03d}-{model._meta.label_lower}.jsonl")
                manifest["tables"].append(entry)
                summary.tables += 1
                summary.rows += entry["rows"]
            referenced = _referenced_files()
        for file in sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.is_dir() else []:
            rel = file.relative_to(media_root).as_posix()
            with file.open("rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                reader = _Hashing(fh)
                tar.addfile(_member(f"{ROOT}/media/{rel}", size), reader)
            manifest["files"].append({"path": rel, "size": size, "sha256": reader.sha.hexdigest()})
            summary.files += 1
            summary.bytes += size
        stored = {f["path"] for f in manifest["files"]}
        summary.missing_files = manifest["missing_files"] = sorted(referenced - stored)
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        tar.addfile(_member(MANIFEST, len(data)), io.BytesIO(data))
    os.replace(partial, path)
    return summary


# -- restore ----------------------------------------------------------------------------------------------------------


def _corrupt(path: Path, why: str) -> ApplicationError:
    return ApplicationError(f"备份文件“{path.name}”已损坏或不完整：{why}。未写入任何数据。", field="file")


def verify(path: Path) -> dict:
    """Read the whole archive once and compare every member with the manifest. Returns the manifest."""
    path = Path(path)
    if not path.is_file():
        raise ApplicationError(f"找不到备份文件“{path}”。", field="file")
    digests, manifest = {}, None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                fh = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(fh.read().decode("utf-8"))
                    continue
                sha = hashlib.sha256()
                for chunk in iter(lambda fh=fh: fh.read(CHUNK), b""):
                    sha.update(chunk)
                digests[member.name] = sha.hexdigest()
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _corrupt(path, f"无法读取（{exc}）") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _corrupt(path, "清单 manifest.json 无法解析") from None
    if manifest is None:
        raise _corrupt(path, "缺少清单 manifest.json")
    if manifest.get("format") != FORMAT:
        raise ApplicationError(f"“{path.name}”不是本系统的备份文件（格式“{manifest.get('format')}”）。", field="file")
    expected = {t["file"]: t["sha256"] for t in manifest["tables"]}
    expected |= {f"{ROOT}/media/{f['path']}": f["sha256"] for f in manifest["files"]}
    for name, sha in expected.items():
        if name not in digests:
            raise _corrupt(path, f"缺少 {name}")
        if digests[name] != sha:
            raise _corrupt(path, f"{name} 的校验和不符")
    extra = sorted(set(digests) - set(expected))
    if extra:
        raise _corrupt(path, f"含有清单之外的文件 {extra[0]}")
    for f in manifest["files"]:
        rel = PurePosixPath(f["path"])
        if rel.is_absolute() or ".." in rel.parts:
            raise _corrupt(path, f"文件路径“{f['path']}”不安全")
    return manifest


def _check_target(manifest: dict) -> None:
    """The archive's tables exist here, its migrations are known here, and this instance holds no data."""
    applied = {(app, name) for app, name in MigrationRecorder(connection).applied_migrations()}
    unknown = [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in applied]
    if unknown:
        raise ApplicationError(f"备份来自更新版本的系统（本版本没有迁移 {unknown[0]}），请先升级系统再恢复。", field="file")
    for table in manifest["tables"]:
        try:
            apps.get_model(table["model"])
        except LookupError:
            raise ApplicationError(f"备份中的数据表“{table['model']}”在本版本中不存在，无法恢复。", field="file") from None
    for model in backed_up_models():
        if model._meta.label_lower in MATCHED:
            continue
        count = model._base_manager.count()
        if count:
            raise ApplicationError(
                f"当前实例不是空的：{model._meta.verbose_name}已有 {count} 条记录。恢复只能在新建的空实例上进行"
                f"（新的 KESU_DATA_DIR 或新建的空数据库），以免覆盖现有数据。", field="file")
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        raise ApplicationError(f"当前实例的上传文件目录（{media_root}）不是空的。恢复只能在新建的空实例上进行。", field="file")


class _Matcher:
    """Old content type / permission ids from the archive → the ids this instance gave the same names."""

    def __init__(self):
        self.content_types: dict = {}
        self.permissions: dict = {}

    def learn(self, label: str, rows: list[dict]) -> None:
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        for row in rows:
            if label == "contenttypes.contenttype":
                ct, _ = ContentType.objects.get_or_create(app_label=row["app_label"], model=row["model"])
                self.content_types[row["id"]] = ct.pk
            else:
                perm, _ = Permission.objects.get_or_create(
                    content_type_id=self.content_types[row["content_type_id"]], codename=row["codename"],
                    defaults={"name": row["name"]})
                self.permissions[row["id"]] = perm.pk

    def mapping_for(self, f: models.Field) -> dict | None:
        target = f.related_model._meta.label_lower if f.is_relation and f.related_model else None
        return {"contenttypes.contenttype": self.content_types, "auth.permission": self.permissions}.get(target)


def _insert(model, rows: list[dict], matcher: _Matcher) -> None:
    fields = model._meta.concrete_fields
    remaps = [(f.attname, matcher.mapping_for(f)) for f in fields if matcher.mapping_for(f) is not None]
    objs = []
    for row in rows:
        for attname, mapping in remaps:
            if row.get(attname) is not None:
                row[attname] = mapping[row[attname]]
        objs.append(model(**{f.attname: _decode(f, row[f.attname]) for f in fields if f.attname in row}))
    batch = max(1, connection.ops.bulk_batch_size(fields, objs) or len(objs))
    for start in range(0, len(objs), batch):
        # raw=True, as loaddata does: stored values go in as they are (auto_now times are not reset to now).
        model._base_manager._insert(objs[start:start + batch], fields=fields, raw=True, using=connection.alias)


def _load_table(fh, model, matcher: _Matcher) -> int:
    label, count, rows = model._meta.label_lower, 0, []
    for line in fh:
        rows.append(json.loads(line))
        count += 1
        if label not in MATCHED and len(rows) >= 2000:
            _insert(model, rows, matcher)
            rows = []
    if label in MATCHED:
        matcher.learn(label, rows)
    elif rows:
        _insert(model, rows, matcher)
    return count


def _write_file(fh, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as out:
        for chunk in iter(lambda fh=fh: fh.read(CHUNK), b""):
            out.write(chunk)


def restore(path: Path) -> Summary:
    """Restore ``path`` into this (empty) instance. Refusals raise ApplicationError before anything is written."""
    path = Path(path)
    manifest = verify(path)
    call_command("migrate", interactive=False, verbosity=0)
    _check_target(manifest)
    tables = {t["file"]: t for t in manifest["tables"]}
    media_root = Path(settings.MEDIA_ROOT)
    summary, written, loaded = Summary(), [], []
    try:
        with tarfile.open(path, "r:gz") as tar, transaction.atomic():
            matcher = _Matcher()
            for member in tar:
                if member.name in tables:
                    model = apps.get_model(tables[member.name]["model"])
                    rows = _load_table(tar.extractfile(member), model, matcher)
                    if rows != tables[member.name]["rows"]:
                        raise _corrupt(path, f"{member.name} 的行数与清单不符")
                    loaded.append(model)
                    summary.tables += 1
                    summary.rows += rows
                elif member.name.startswith(f"{ROOT}/media/") and member.isfile():
                    target = media_root / member.name.removeprefix(f"{ROOT}/media/")
                    _write_file(tar.extractfile(member), target)
                    written.append(target)
                    summary.files += 1
                    summary.bytes += member.size
            _reset_sequences([m for m in loaded if m._meta.label_lower not in MATCHED])
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    return summary


def _reset_sequences(loaded: list) -> None:
    """PostgreSQL hands out ids from sequences that explicit-id inserts do not move; set them past the restored
    rows. (SQLite's AUTOINCREMENT counter follows explicit ids by itself; its statement list is empty.)"""
    statements = connection.ops.sequence_reset_sql(no_style(), loaded)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
