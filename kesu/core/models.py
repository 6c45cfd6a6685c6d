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
