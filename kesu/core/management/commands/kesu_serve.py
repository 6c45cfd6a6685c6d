import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动 Web 服务（默认 gunicorn 多进程；--development 为 Django 开发服务器）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=max(2, min(8, (os.cpu_count() or 1) * 2)))
        parser.add_argument("--development", action="store_true")

    def handle(self, *args, host, port, workers, development, **options):
        self.stdout.write(f"科素已启动：http://{host}:{port}/")
        if development:
            call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
            return
        self.stdout.flush()
        # Processes share nothing but the database: each gthread worker serves a few requests at once, and any
        # number of such servers can stand behind a load balancer (docs/scale.md).
        os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "kesu.wsgi:application",
                                  "--bind", f"{host}:{port}", "--workers", str(workers),
                                  "--worker-class", "gthread", "--threads", "4", "--timeout", "120",
                                  # longer than a browser's or load balancer's pause between requests, so a reused
                                  # connection is not closed under a request in flight
                                  "--keep-alive", "30"])
