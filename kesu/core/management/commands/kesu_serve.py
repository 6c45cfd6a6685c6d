import errno
import os
import signal
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kesu.core.supervise import Supervisor

LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# Chosen from measurement (docs/scale.md, "Server sizing"): a request is CPU-bound Python between short database
# round trips, so one process per core serves as many requests per second as more processes do, with fewer
# processes competing with the database for the cores; a few threads each keep a core busy while a request waits
# for the database (or, on SQLite, for the write lock).
THREADS = 4


def default_workers() -> int:
    return max(2, min(8, os.cpu_count() or 1))


def refuse_without_secret_key(host: str, development: bool) -> None:
    """A server others can reach (any address but loopback, or HTTPS) must not sign sessions with the built-in key.

    A loopback-only server is a trial on one machine (``make run``); anything else is production.
    """
    if development or settings.DEBUG or os.environ.get("KESU_SECRET_KEY"):
        return
    if host in LOOPBACK and not settings.HTTPS:
        return
    raise CommandError("拒绝启动：生产模式（对外提供服务或启用 HTTPS）必须设置环境变量 KESU_SECRET_KEY，"
                       "否则会话和密码重置链接将使用公开的开发密钥签名。可用以下命令生成：\n"
                       "  python -c \"import secrets; print(secrets.token_urlsafe(50))\"")


def refuse_port_in_use(host: str, port: int) -> None:
    """Each server process listens with SO_REUSEPORT, which would also let a second server on the same port (one
    started twice, an old version not yet stopped) silently share the connections: a plain socket bound first is
    refused by any listener on the port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart's closing connections don't count
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise CommandError(f"端口 {port} 已被占用：可能已有一个科素服务在运行。请先停止它，或用 --port 指定其他端口。") from exc


class Command(BaseCommand):
    help = "启动 Web 服务与后台任务进程（默认 gunicorn 多进程；--development 为 Django 开发服务器）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--threads", type=int, default=THREADS)
        parser.add_argument("--development", action="store_true")
        parser.add_argument("--no-worker", action="store_true",
                            help="不启动后台任务进程（另行运行 kesu worker 时）")

    def handle(self, *args, host, port, workers, development, no_worker, threads=THREADS, **options):
        refuse_without_secret_key(host, development)
        if not development:
            refuse_port_in_use(host, port)
        # SIGTERM (systemd, docker stop, kill) ends the server through the ``finally`` below, so the worker is
        # stopped with it instead of being left running on its own.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        # Large Excel imports, old-report extraction and report packs are background tasks: a single-machine
        # installation runs their worker beside the web server, so `make run` needs nothing else.
        # Supervised: a worker that dies is started again with back-off (kesu/core/supervise.py).
        worker = None if no_worker else Supervisor([sys.executable, "-m", "kesu.cli", "worker"]).start()
        self.stdout.write(f"科素已启动：http://{host}:{port}/")
        self.stdout.flush()
        try:
            if development:
                call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
            else:
                self._gunicorn(host, port, workers, threads)
        finally:
            if worker is not None:
                worker.stop()

    def _gunicorn(self, host, port, workers, threads) -> None:
        # Processes share nothing but the database: each gthread worker serves a few requests at once, and any
        # number of such servers can stand behind a load balancer (docs/scale.md).
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "kesu.wsgi:application",
                                   "--bind", f"{host}:{port}", "--workers", str(workers),
                                   "--worker-class", "gthread", "--threads", str(threads), "--timeout", "120",
                                   # longer than a browser's or load balancer's pause between requests, so a reused
                                   # connection is not closed under a request in flight
                                   "--keep-alive", "30",
                                   # A kept-alive connection stays with the process that accepted it, and a process
                                   # runs Python on one core at a time. With one listening socket shared by all
                                   # processes, connections opened together were often accepted mostly by one of
                                   # them, which then queued its requests while another idled; a socket per process
                                   # (SO_REUSEPORT) lets the kernel deal new connections out evenly over the
                                   # processes (docs/scale.md, "The connections' spread over the processes").
                                   "--reuse-port"])
        signal.signal(signal.SIGTERM, lambda *_: server.send_signal(signal.SIGTERM))
        try:
            server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
