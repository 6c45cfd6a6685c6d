from django.conf import settings
from django.db import models

from kesu.core.models import TimeStampedModel

from .builders.kinds import CHOICES as KIND_CHOICES


def template_path(instance, filename: str) -> str:  # noqa: ARG001 (FileField upload_to signature)
    return f"reports/templates/{instance.region_id}/{instance.kind}-{instance.pk or 'new'}.docx"


def version_path(instance, filename: str) -> str:
    return f"reports/versions/{instance.region_id}/{instance.period_id}/{filename}"


def job_path(instance, filename: str) -> str:
    return f"reports/packs/{instance.region_id}/{filename}"


class ReportTemplate(TimeStampedModel):
    """An office's own docxtpl template for one report kind (the built-in one is used when none is active)."""

    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.CASCADE,
                               related_name="report_templates")
    kind = models.CharField("报告类型", max_length=20, choices=KIND_CHOICES)
    file = models.FileField("模板文件", upload_to=template_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "报告模板"
        verbose_name_plural = "报告模板"
        ordering = ["region__path", "kind", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], condition=models.Q(is_active=True),
                                    name="reports_one_active_template"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.get_kind_display()}模板"


class ReportVersion(TimeStampedModel):
    """One generated report: who made it, when, from which state of the data; kept so versions can be compared."""

    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.PROTECT,
                               related_name="report_versions")
    period_id = models.CharField("报告期", max_length=7)
    kind = models.CharField("报告类型", max_length=20, choices=KIND_CHOICES)
    number = models.PositiveIntegerField("版本号")
    title = models.CharField("标题", max_length=200)
    docx = models.FileField("DOCX", upload_to=version_path, max_length=255)
    html = models.TextField("网页版", blank=True)
    markdown = models.TextField("Markdown", blank=True)
    text = models.TextField("纯文本", blank=True, help_text="用于版本比较")
    template = models.ForeignKey(ReportTemplate, verbose_name="所用模板", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="versions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    data_state = models.CharField("数据状态", max_length=80, help_text="生成时数据的指纹：最新审计事件编号与数字摘要")
    seconds = models.FloatField("耗时（秒）", default=0)
    report_date = models.DateField("成文日期", null=True, blank=True, help_text="落款的日期；重新生成时沿用")
    chart_problem = models.CharField("图表问题", max_length=300, blank=True,
                                     help_text="图表未能绘制时的原因，在报告页上提示")

    class Meta:
        verbose_name = "报告版本"
        verbose_name_plural = "报告版本"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "period_id", "kind", "number"], name="reports_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.number}版）"


class JobStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ReportJob(TimeStampedModel):
    """A report pack: one report per lower region, generated in the background, with progress."""

    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.CASCADE,
                               related_name="report_jobs")
    period_id = models.CharField("报告期", max_length=7)
    kind = models.CharField("报告类型", max_length=20, choices=KIND_CHOICES)
    status = models.CharField("状态", max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    message = models.CharField("说明", max_length=300, blank=True)
    result = models.FileField("报告包", upload_to=job_path, max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    report_date = models.DateField("成文日期", null=True, blank=True, help_text="各份报告落款的日期；空则为生成当天")

    class Meta:
        verbose_name = "批量生成任务"
        verbose_name_plural = "批量生成任务"
        ordering = ["-created_at", "-id"]

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0
