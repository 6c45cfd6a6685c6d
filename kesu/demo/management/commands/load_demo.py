from django.core.management.base import BaseCommand

from kesu.demo.builder import PASSWORD, build_demo
from kesu.demo.progress import Progress


class Command(BaseCommand):
    help = "载入演示数据（达州市及渠县、宣汉县、大竹县；所有人物和数字均为虚构）"

    def handle(self, *args, **options):
        self.stdout.write("正在载入演示数据：")
        logins = build_demo(progress=Progress(self._line))
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪。演示账号（密码均为 {PASSWORD}）："))
        for login in logins:
            self.stdout.write(f"  {login.username:<14}{login.role:<8}{login.scope}")

    def _line(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()  # each stage shows as it finishes, also when the output goes to a pipe or a log
