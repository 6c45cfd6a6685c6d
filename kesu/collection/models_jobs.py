"""An Excel import: the uploaded file, the reporter and period it is for, where its check/import stands.

Kept apart from ``models.py`` so the Excel import can evolve without touching the core collection models; it is
imported at the bottom of ``models.py`` so Django registers it with the app.
"""

from django.conf import settings
from django.db import models

from kesu.core.models import TimeStampedModel


class ImportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    CHECKING = "checking", "检查中"
    READY = "ready", "待确认"
    INVALID = "invalid", "有错误"
    IMPORTING = "importing", "导入中"
    DONE = "done", "已导入"
    FAILED = "failed", "导入失败"


RUNNING_STATUSES = {ImportStatus.PENDING, ImportStatus.CHECKING, ImportStatus.IMPORTING}


def import_file_path(instance: "ExcelImport", filename: str) -> str:
    return f"imports/{instance.created_at:%Y/%m}/{filename}" if instance.created_at else f"imports/{filename}"


class ExcelImport(TimeStampedModel):
    """One uploaded workbook for one reporter (region + unit, or the region's own return) and period.

    ``problems`` holds every problem found by the last check as {sheet, row, column, message, blocking};
    ``summary`` the counts (new / changed / unchanged per sheet), the problem totals under ``_problems`` and the
    changed cells under ``_changes``. ``progress`` is 0–100 for the progress bar.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.CASCADE,
                             related_name="excel_imports")
    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    period_id = models.CharField("报告期", max_length=7)
    file = models.FileField("文件", upload_to=import_file_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）")
    status = models.CharField("状态", max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    stage = models.CharField("当前步骤", max_length=60, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    problems = models.JSONField("问题", default=list, blank=True)
    summary = models.JSONField("概况", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    background = models.BooleanField("后台处理", default=False)
    # An office's load of a year kesu never collected: the figures are written as approved history (the figure
    # service's history mode), not into a return.
    history = models.BooleanField("历史数据导入", default=False)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "Excel 导入"
        verbose_name_plural = "Excel 导入"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="collection_import_user")]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def blocking_count(self) -> int:
        counts = self.summary.get("_problems") if self.summary else None
        if counts:
            return counts["blocking"]
        return sum(1 for p in self.problems if p.get("blocking", True))

    @property
    def problem_total(self) -> int:
        """Every problem the last check found; ``problems`` keeps only the first ones (see excel/problems.py)."""
        counts = self.summary.get("_problems") if self.summary else None
        return counts["total"] if counts else len(self.problems)

    @property
    def problems_capped(self) -> bool:
        return self.problem_total > len(self.problems)

    @property
    def sheet_counts(self) -> dict:
        """{sheet: {rows, created, updated, unchanged}} without the bookkeeping keys (which start with “_”)."""
        return {k: v for k, v in (self.summary or {}).items() if not k.startswith("_")}

    @property
    def changes(self) -> list:
        """The cells a commit would change (or changed), old → new, as the last check listed them."""
        return (self.summary or {}).get("_changes", [])
