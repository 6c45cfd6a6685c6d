from django.core.management.base import BaseCommand

from kesu.demo.builder import PASSWORD, build_demo


class Command(BaseCommand):
    help = "载入演示数据（达州市及渠县、宣汉县、大竹县；所有人物和数字均为虚构）"

    def handle(self, *args, **options):
        logins = build_demo()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。演示账号（密码均为 %s）：" % PASSWORD))
        for login in logins:
            self.stdout.write(f"  {login.username:<14}{login.role:<8}{login.scope}")
