from django.core.management.base import BaseCommand

from kesu.collection.services import send_reminders


class Command(BaseCommand):
    help = "发送填报截止前后的催报邮件（同一天重复执行不会重复发送）"

    def handle(self, *args, **options):
        result = send_reminders()
        self.stdout.write(self.style.SUCCESS(f"已发送催报 {result.sent} 条，今日已发过 {result.skipped} 条"))
