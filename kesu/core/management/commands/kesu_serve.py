from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动 Web 服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host, port, **options):
        self.stdout.write(f"科素已启动：http://{host}:{port}/")
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
