"""What analytics stores: published public pages and personal API tokens. It never stores figures."""

import hashlib
import secrets

from django.conf import settings
from django.db import models

from kesu.core.models import TimeStampedModel


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "待发布"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class Publication(TimeStampedModel):
    """A read-only public page of chosen indicators of one region: approved figures only, reviewed before release."""

    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.PROTECT,
                               related_name="publications")
    title = models.CharField("标题", max_length=120)
    year = models.PositiveSmallIntegerField("年份")
    indicators = models.ManyToManyField("plans.Indicator", verbose_name="公开指标", related_name="publications")
    note = models.TextField("说明", blank=True)
    slug = models.CharField("链接标识", max_length=24, unique=True)
    status = models.CharField("状态", max_length=10, choices=PublicationStatus.choices,
                              default=PublicationStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = "公开发布"
        verbose_name_plural = "公开发布"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def new_slug() -> str:
        return secrets.token_urlsafe(9)


class ApiToken(TimeStampedModel):
    """A personal access token for the REST API. Only its SHA-256 digest is stored; the token is shown once."""

    PREFIX = "ksu_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=60)
    prefix = models.CharField("前缀", max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "访问令牌"
        verbose_name_plural = "访问令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
