"""Is the process running a job still alive? It holds a named lock that dies with it, however it dies.

A job row saying "running" cannot tell a live worker from one killed mid-way (SIGKILL, a power cut, an out-of-memory
kill): nothing runs to update the row. So the worker holds a lock for as long as it works on the job, and the lock
is released by the system when the process ends: a PostgreSQL session advisory lock (released when the connection
drops, from any machine), or on SQLite — one machine by nature — an flock on a file under KESU_DATA_DIR (released
by the kernel when the process exits). ``is_held`` asks without waiting.
"""

import fcntl
import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection


def _pg_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _lock_file(name: str) -> Path:
    folder = Path(settings.DATA_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.lock"


@contextmanager
def held(name: str):
    """Hold the lock ``name`` for the duration of the block (waits if another process holds it)."""
    if connection.vendor == "postgresql":
        key = _pg_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    fd = os.open(_lock_file(name), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def is_held(name: str) -> bool:
    """True when some live process holds ``name`` right now."""
    if connection.vendor == "postgresql":
        key = _pg_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            got = cursor.fetchone()[0]
            if got:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return not got
    path = _lock_file(name)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
