from django.core.management.base import BaseCommand, CommandError

from kesu.core import backup
from kesu.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "恢复：把备份归档恢复到一个新建的空实例（先校验归档，不覆盖现有数据）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="kesu backup 生成的归档文件")

    def handle(self, *args, file, **options):
        try:
            summary = backup.restore(file)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(
            f"已从 {file} 恢复：{summary.tables} 张数据表共 {summary.rows} 行，{summary.files} 个文件。"))
