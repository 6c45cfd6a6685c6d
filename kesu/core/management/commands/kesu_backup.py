from django.core.management.base import BaseCommand, CommandError

from kesu.core import backup
from kesu.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "备份：把数据库、上传文件和生成的报告写入一个归档文件（服务运行时也可执行）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="归档文件，例如 kesu-20260101.tar.gz")

    def handle(self, *args, file, **options):
        try:
            summary = backup.backup(file)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(
            f"已备份到 {file}：{summary.tables} 张数据表共 {summary.rows} 行，{summary.files} 个文件"
            f"（{summary.bytes / 1024 / 1024:.1f} MB）。"))
        if summary.missing_files:
            self.stderr.write(f"注意：数据库登记的 {len(summary.missing_files)} 个文件在上传目录中不存在，"
                              f"例如 {summary.missing_files[0]}。")
