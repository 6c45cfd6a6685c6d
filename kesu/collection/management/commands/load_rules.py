from django.core.management.base import BaseCommand

from kesu.collection.services import load_rules


class Command(BaseCommand):
    help = "载入内置审核规则和活动派生指标（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--file", help="规则 YAML 文件（默认使用内置规则）")

    def handle(self, *args, **options):
        result = load_rules(path=options.get("file"))
        self.stdout.write(self.style.SUCCESS(
            f"审核规则：新增 {result.rules_created} 条，更新 {result.rules_updated} 条；活动派生指标 {result.activity_rules} 个"))
        if result.skipped:
            self.stdout.write(f"指标目录中缺少以下指标，已跳过：{'、'.join(result.skipped)}")
