from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    """Base for kesu models: when a row was created and last changed."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One recorded change: who, when, what (old → new), why and from which source.

    Rows are only ever inserted (see ``kesu.core.audit.record``); no page or API edits or deletes them.
    """

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField("动作", max_length=40)
    object_type = models.CharField("对象类型", max_length=60, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=300)
    changes = models.JSONField("变更", default=dict, blank=True)
    reason = models.TextField("原因", blank=True)
    source = models.CharField("来源", max_length=300, blank=True)
    region_path = models.CharField("所属区域路径", max_length=255, blank=True, db_index=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class SiteFlag(models.Model):
    """A small named fact about this installation (e.g. that it holds the demo data)."""

    key = models.CharField("键", max_length=40, unique=True)
    value = models.CharField("值", max_length=200, blank=True)

    class Meta:
        verbose_name = "站点标记"
        verbose_name_plural = "站点标记"

    def __str__(self) -> str:
        return self.key


class WorkerBeat(models.Model):
    """A background-task worker's last sign of life, written by the worker every few seconds while it runs.

    Pages read it to say when jobs wait and no worker is alive (a dead process writes nothing, however it died).
    """

    worker_id = models.CharField("处理进程", max_length=64, unique=True)
    host = models.CharField("主机", max_length=100)
    pid = models.PositiveIntegerField("进程号")
    started_at = models.DateTimeField("启动时间")
    beat_at = models.DateTimeField("最近心跳", db_index=True)

    class Meta:
        verbose_name = "后台处理进程"
        verbose_name_plural = "后台处理进程"

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
