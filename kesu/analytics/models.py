"""What analytics stores: published public pages and personal API tokens. It never stores figures."""

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


