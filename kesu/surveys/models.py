"""Questionnaire versions, survey rounds (one response file each) and the estimates computed from them."""

from django.conf import settings
from django.db import models

from kesu.core.models import TimeStampedModel


class Questionnaire(TimeStampedModel):
    """A questionnaire version: items, keys, points and scheme as data (kesu.surveys.core.instrument)."""

    region = models.ForeignKey("regions.Region", verbose_name="所属区域", on_delete=models.PROTECT,
                               related_name="questionnaires")
    name = models.CharField("名称", max_length=200)
    definition = models.JSONField("题目与评分方案")
    # header → item key or demographic field, remembered so the next round's file maps itself
    mapping = models.JSONField("列对应", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "调查问卷"
        ordering = ["region__path", "name"]

    def __str__(self) -> str:
        return self.name


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "待计算"
    COMPUTING = "computing", "计算中"
    ANALYSED = "analysed", "已计算"
    ACCEPTED = "accepted", "已采用"


class SurveyRound(TimeStampedModel):
    questionnaire = models.ForeignKey(Questionnaire, verbose_name="问卷", on_delete=models.PROTECT,
                                      related_name="rounds")
    region = models.ForeignKey("regions.Region", verbose_name="调查区域", on_delete=models.PROTECT,
                               related_name="survey_rounds")
    year = models.PositiveSmallIntegerField("调查年度")
    title = models.CharField("名称", max_length=200)
    status = models.CharField("状态", max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    file = models.FileField("答卷文件", upload_to="surveys/%Y/", blank=True)
    original_name = models.CharField("文件名", max_length=255, blank=True)
    rows = models.PositiveIntegerField("答卷数", default=0)
    mapping = models.JSONField("列对应", default=dict, blank=True)  # header → item key or field, as last computed
    screening = models.JSONField("筛查规则", default=dict, blank=True)
    margins = models.JSONField("人口边际", default=dict, blank=True)  # variable → {category: population}
    trim_ratio = models.FloatField("权重截尾倍数", default=5.0)
    kept = models.PositiveIntegerField("有效样本", default=0)
    excluded = models.JSONField("剔除样本", default=list, blank=True)  # [[row, [reasons]]], first rows only
    exclusion_counts = models.JSONField("剔除计数", default=dict, blank=True)
    analysed_at = models.DateTimeField("计算时间", null=True, blank=True)
    error = models.TextField("计算失败原因", blank=True)  # a background computation's refusal, shown on the page
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="采用人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField("采用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽样调查"
        ordering = ["-year", "region__path", "pk"]

    def __str__(self) -> str:
        return self.title


class SurveyEstimate(models.Model):
    survey = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="estimates")
    group = models.CharField("分组变量", max_length=40, blank=True)  # '' = the whole region
    level = models.CharField("分组", max_length=100, blank=True)
    outcome = models.CharField("指标", max_length=40)  # 'literate' or a tier label
    share = models.FloatField("比例", null=True)  # null when the group is too small to publish
    se = models.FloatField("标准误", null=True)
    lower = models.FloatField("95%置信下限", null=True)
    upper = models.FloatField("95%置信上限", null=True)
    n = models.PositiveIntegerField("样本量")
    effective_n = models.FloatField("有效样本量")
    deff = models.FloatField("设计效应", null=True)
    suppressed = models.BooleanField("样本量不足", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "调查估计"
        ordering = ["pk"]

    @property
    def margin(self) -> float | None:
        """Half the interval's width: the “±” of a published figure."""
        return None if self.lower is None or self.upper is None else (self.upper - self.lower) / 2


class PublishedFigure(TimeStampedModel):
    """A survey result published from above (全国 or a province's 科协), recorded by an office with its source.

    ``area`` is the region the figure describes; empty means 全国. A figure about a region the office manages is also
    written as that region-year's value through the ordinary write path (``written``); one about the nation or a
    region above the office is kept here as a reference series beside the office's own figures.
    """

    office = models.ForeignKey("regions.Region", verbose_name="录入单位所在区域", on_delete=models.PROTECT,
                               related_name="+")
    area = models.ForeignKey("regions.Region", verbose_name="发布范围", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="published_figures")
    indicator = models.ForeignKey("plans.Indicator", verbose_name="指标", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("调查年度")
    value = models.DecimalField("比例（%）", max_digits=6, decimal_places=2)
    publisher = models.CharField("发布单位", max_length=100)
    published_on = models.DateField("发布日期")
    link = models.URLField("来源链接", max_length=500, blank=True)
    written = models.BooleanField("已写入本区域数据", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "上级发布的调查结果"
        ordering = ["indicator_id", "area__path", "year"]
        constraints = [
            models.UniqueConstraint(fields=["office", "area", "indicator", "year"], name="published_figure_once",
                                    condition=models.Q(area__isnull=False)),
            models.UniqueConstraint(fields=["office", "indicator", "year"], name="published_national_once",
                                    condition=models.Q(area__isnull=True)),
        ]

    @property
    def area_name(self) -> str:
        return self.area.name if self.area_id else "全国"

    @property
    def source_text(self) -> str:
        """上级发布（中国科协，2025-05-29，https://…）: the source a written value keeps and every page shows."""
        parts = [self.publisher, f"{self.published_on:%Y-%m-%d}", *([self.link] if self.link else [])]
        return f"{PUBLISHED_SOURCE}（{'，'.join(parts)}）"

    def __str__(self) -> str:
        return f"{self.area_name}{self.year}年 {self.value}%（{self.publisher}发布）"


PUBLISHED_SOURCE = "上级发布"  # how a published figure's source begins, on the value and on every page
LOCAL_SURVEY_SOURCE = "本地抽样调查"  # how an accepted local round's source begins
