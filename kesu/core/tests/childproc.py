"""Run Django in child processes against the test database, for tests of concurrency and crashes.

The children are real processes (``python -m MODULE ACTION JSON``) with their own database connections: what one
process holds locked, another really waits for. They find the test database through ``KESU_DATABASE_URL`` built
from the parent's connection settings, so the same test runs on SQLite (a file in WAL mode) and PostgreSQL.

Start order is coordinated with files in a folder (``Gate``), never with sleeps: each child says it is ready, the
parent opens the gate once all are, and they start together.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

WAIT_LIMIT = 120  # seconds a gate or a child may take before the test gives up (a hang, not a slow machine)


def database_url() -> str:
    """The URL of the database the parent is connected to (the test database)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


def child_env(data_dir: Path | None = None, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(KESU_DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="kesu.settings",
               KESU_DATA_DIR=str(data_dir or settings.DATA_DIR), KESU_LOG_LEVEL="ERROR")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start(module: str, action: str, payload: dict, *, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module, action, json.dumps(payload)], env=env or child_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result(proc: subprocess.Popen) -> dict:
    """The JSON a child printed last; a crashed child fails the test with its stderr."""
    out, err = proc.communicate(timeout=WAIT_LIMIT)
    assert proc.returncode == 0, f"child exited {proc.returncode}:\n{err[-3000:]}"
    return json.loads(out.strip().splitlines()[-1])


class Gate:
    """Files in ``folder``: ``ready-NAME`` written by each child, ``open`` written by the parent."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def mark(self, name: str) -> None:
        (self.folder / name).write_text("1")

    def wait_for(self, *names: str) -> None:
        deadline = time.monotonic() + WAIT_LIMIT
        while not all((self.folder / n).exists() for n in names):
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited too long for {names} in {self.folder}")
            time.sleep(0.02)

    def exists(self, name: str) -> bool:
        return (self.folder / name).exists()


def child_setup() -> None:
    """In a child: configure Django from the environment the parent passed."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()


def child_main(actions: dict) -> None:
    """In a child: run ``actions[argv[1]](**json(argv[2]))`` and print its JSON result."""
    child_setup()
    action, payload = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(actions[action](**payload), ensure_ascii=False, default=str), flush=True)
