"""A throw-away PostgreSQL primary with a streaming replica, for the read-replica tests.

Both clusters live in a temporary folder and listen on 127.0.0.1 only; nothing of the machine's own PostgreSQL is
touched. PostgreSQL refuses to run as root, so when the tests run as root the clusters run as the ``postgres`` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


def server_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup), or None."""
    # Debian keeps them out of PATH, one folder per major version; elsewhere they sit beside pg_ctl on PATH.
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if candidates:
        return candidates[-1].parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "pg_basebackup").exists() else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    bin: Path
    root: Path
    primary_port: int = field(default_factory=free_port)
    replica_port: int = field(default_factory=free_port)

    @property
    def primary_dir(self) -> Path:
        return self.root / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.root / "replica"

    def url(self, port: int, db: str = "kesu") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{db}"

    def run(self, program: str, *args: str) -> None:
        argv = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, capture_output=True, timeout=120, cwd=self.root)

    def pg_ctl_argv(self, data_dir: Path, *args: str) -> list[str]:
        argv = [str(self.bin / "pg_ctl"), "-D", str(data_dir), *args]
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres")
        self.run("initdb", "-D", str(self.primary_dir), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8")
        conf = (
            f"port = {self.primary_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\n"
            "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
        )
        self._append(self.primary_dir / "postgresql.conf", conf)
        self._append(self.primary_dir / "pg_hba.conf", "host replication all 127.0.0.1/32 trust\n")
        subprocess.run(self.pg_ctl_argv(self.primary_dir, "-w", "-l", str(self.root / "primary.log"), "start"),
                       check=True, capture_output=True, timeout=60)
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres", "kesu")
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                 "-D", str(self.replica_dir), "-R", "-X", "stream", "-c", "fast")
        self._append(self.replica_dir / "postgresql.conf", f"port = {self.replica_port}\n")
        self.start_replica()

    def start_replica(self) -> None:
        subprocess.run(self.pg_ctl_argv(self.replica_dir, "-w", "-l", str(self.root / "replica.log"), "start"),
                       check=True, capture_output=True, timeout=60)

    def stop_replica_argv(self) -> list[str]:
        return self.pg_ctl_argv(self.replica_dir, "-m", "immediate", "stop")

    def stop(self) -> None:
        for data_dir in (self.replica_dir, self.primary_dir):
            if (data_dir / "postmaster.pid").exists():
                subprocess.run(self.pg_ctl_argv(data_dir, "-m", "immediate", "stop"), capture_output=True, timeout=60)

    @staticmethod
    def _append(path: Path, text: str) -> None:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(path, entry.pw_uid, entry.pw_gid)
