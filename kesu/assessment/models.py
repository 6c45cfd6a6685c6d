"""考核细则 (a scheme of weighted items with rules), one assessment per subject, and a score per item."""

from django.conf import settings
from django.db import models

from kesu.core.models import TimeStampedModel

from . import rules


class SubjectKind(models.TextChoices):
    UNIT = "unit", "成员单位"
    REGION = "region", "下级区域"


class Scheme(TimeStampedModel):
    region = models.ForeignKey("regions.Region", verbose_name="考核单位所在区域", on_delete=models.PROTECT,
                               related_name="assessment_schemes")
    year = models.PositiveSmallIntegerField("考核年度")
    name = models.CharField("名称", max_length=200)
    subject = models.CharField("考核对象", max_length=10, choices=SubjectKind.choices)
    grades = models.JSONField("等次分数线", default=dict)  # {"优秀": 90, "良好": 80, "合格": 60}

    class Meta:
        verbose_name = verbose_name_plural = "考核细则"
        ordering = ["-year", "region__path", "pk"]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"


class SchemeItem(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    number = models.CharField("序号", max_length=10)
    title = models.CharField("考核内容", max_length=200)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=1)
    rule = models.CharField("评分方式", max_length=12, choices=list(rules.KINDS.items()))
    params = models.JSONField("评分参数", default=dict, blank=True)  # indicator, cap, per_activity
    evidence = models.CharField("佐证要求", max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class AssessmentStatus(models.TextChoices):
    SELF = "self", "自评中"
    SUBMITTED = "submitted", "待审核"
    REVIEWED = "reviewed", "已审核"


class Assessment(TimeStampedModel):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="assessments")
    unit = models.ForeignKey("orgs.Unit", verbose_name="成员单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="下级区域", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.SELF)
    self_total = models.DecimalField("自评得分", max_digits=7, decimal_places=1, null=True, blank=True)
    total = models.DecimalField("审核得分", max_digits=7, decimal_places=1, null=True, blank=True)
    grade = models.CharField("等次", max_length=10, blank=True)
    submitted_at = models.DateTimeField("自评提交时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "unit"], condition=models.Q(unit__isnull=False),
                                    name="assessment_one_per_unit"),
            models.UniqueConstraint(fields=["scheme", "region"], condition=models.Q(region__isnull=False),
                                    name="assessment_one_per_region"),
        ]

    @property
    def subject_name(self) -> str:
        return self.unit.name if self.unit_id else self.region.name

    def __str__(self) -> str:
        return f"{self.scheme} · {self.subject_name}"


class ItemScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(SchemeItem, on_delete=models.CASCADE, related_name="+")
    auto_points = models.DecimalField("按数据计分", max_digits=6, decimal_places=1, null=True, blank=True)
    auto_note = models.CharField("计分依据", max_length=200, blank=True)
    self_points = models.DecimalField("自评分", max_digits=6, decimal_places=1, null=True, blank=True)
    self_note = models.TextField("自评说明", blank=True)
    evidence = models.TextField("佐证材料", blank=True)  # names or links of documents, activity records, photos
    final_points = models.DecimalField("审核分", max_digits=6, decimal_places=1, null=True, blank=True)
    adjust_reason = models.CharField("调整理由", max_length=300, blank=True)

    class Meta:
        ordering = ["item__pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="assessment_item_once")]


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", "政策文件"
    REPORT = "report", "历史报告"
    ACTIVITY = "activity", "活动记录"
    ATTACHMENT = "attachment", "活动照片或附件"


class Evidence(models.Model):
    """One record kesu already holds, cited as evidence of a self-score: a document, an old report, an activity
    or one of its photos. Exactly one of the four links is set, the one ``kind`` names."""

    score = models.ForeignKey(ItemScore, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField("类型", max_length=10, choices=EvidenceKind.choices)
    document = models.ForeignKey("plans.PolicyDocument", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    report = models.ForeignKey("extraction.SourceDocument", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    activity = models.ForeignKey("collection.Activity", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    attachment = models.ForeignKey("collection.ActivityAttachment", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["kind", "pk"]

    @property
    def target(self):
        return getattr(self, self.kind)

    @property
    def key(self) -> str:
        return f"{self.kind}:{getattr(self, f'{self.kind}_id')}"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.target}"
