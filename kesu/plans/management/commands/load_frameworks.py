from django.core.management.base import BaseCommand, CommandError

from kesu.core.exceptions import ApplicationError
from kesu.plans.loader import load_builtin


class Command(BaseCommand):
    help = "载入或更新内置纲要框架（2006、2021）和指标目录（可重复执行，不影响本地化副本）"

    def handle(self, *args, **options):
        try:
            result = load_builtin()
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if result.changed:
            self.stdout.write(self.style.SUCCESS(f"已载入：{result.summary()}"))
        else:
            self.stdout.write("内置纲要框架和指标目录已是最新，无需更改。")
