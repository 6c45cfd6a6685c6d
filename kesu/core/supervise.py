"""Keeps one child process running: ``kesu serve`` supervises its task worker with it.

A worker that exits (a crash, an out-of-memory kill, someone's ``kill``) is started again after a back-off that
doubles from ``first_delay`` up to ``max_delay`` and returns to ``first_delay`` once a run has lasted
``stable_after`` seconds; every exit and restart is logged as one line.
"""

import logging
import subprocess
import threading
import time

log = logging.getLogger("kesu.supervise")


class Supervisor:
    def __init__(self, command: list[str], *, name: str = "后台任务进程", first_delay: float = 1.0,
                 max_delay: float = 60.0, stable_after: float = 60.0, env: dict | None = None):
        self.command, self.name, self.env = command, name, env
        self.first_delay, self.max_delay, self.stable_after = first_delay, max_delay, stable_after
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Supervisor":
        self.process = subprocess.Popen(self.command, env=self.env)
        self._thread = threading.Thread(target=self._watch, name="kesu-supervisor", daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        delay = self.first_delay
        started = time.monotonic()
        while not self._stopping.is_set():
            code = self.process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= self.stable_after:
                delay = self.first_delay  # it ran well for a while: this exit is news, not a crash loop
            log.warning("%s（进程号 %s）已退出，退出码 %s；%.0f 秒后重新启动", self.name, self.process.pid, code, delay)
            if self._stopping.wait(delay):
                return
            self.process = subprocess.Popen(self.command, env=self.env)
            self.restarts += 1
            started = time.monotonic()
            log.warning("%s已重新启动（进程号 %s，第 %s 次）", self.name, self.process.pid, self.restarts)
            delay = min(delay * 2, self.max_delay)

    def stop(self, timeout: float = 30) -> None:
        self._stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self._thread is not None:
            self._thread.join(timeout=5)
