"""Source documents (old reports uploaded by an office) and the facts extracted from them for review.

Offsets (``start``/``end``) always refer to ``SourceDocument.text``: the text read from the stored file (the file's
decoded text for .txt, the visible text for .html, paragraphs for .docx, the text layer for .pdf).
"""

from django.conf import settings
from django.db import models

from kesu.core.models import TimeStampedModel


class DocumentKind(models.TextChoices):
    TXT = "txt", "纯文本"
    HTML = "html", "网页"
    DOCX = "docx", "Word 文档"
    PDF = "pdf", "PDF"


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    PROCESSING = "processing", "提取中"
    DONE = "done", "已提取"
    FAILED = "failed", "提取失败"


class SourceDocument(TimeStampedModel):
    region = models.ForeignKey("regions.Region", verbose_name="所属区域", on_delete=models.PROTECT,
                               related_name="source_documents")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    original_name = models.CharField("文件名", max_length=255)
    batch = models.CharField("所属压缩包", max_length=255, blank=True)
    kind = models.CharField("格式", max_length=8, choices=DocumentKind.choices)
    file = models.FileField("原始文件", upload_to="extraction/%Y/%m/")
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    status = models.CharField("状态", max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    error = models.TextField("错误", blank=True)
    text = models.TextField("全文", blank=True)
    cleaned_text = models.TextField("清理后全文", blank=True)
    kept_ranges = models.JSONField("保留区间", default=list, blank=True,
                                   help_text="清理后保留的原文区间 [[start, end], …]")
    parts = models.JSONField("分篇", default=list, blank=True)
    sections = models.JSONField("章节", default=list, blank=True)
    duplicate_of = models.ForeignKey("self", verbose_name="疑似重复于", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="duplicates")
    duplicate_score = models.FloatField("相似度", null=True, blank=True)
    differences = models.JSONField("差异段落", default=list, blank=True)

    class Meta:
        verbose_name = "历史报告"
        verbose_name_plural = "历史报告"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "sha256"])]

    def __str__(self) -> str:
        return f"文档#{self.pk} {self.original_name}"


class SourceReport(TimeStampedModel):
    """One report of an uploaded page (a page of a 范文 site can stack several), with whose report it is and which
    period it covers: detected with evidence, then confirmed by an office before any of its facts is accepted."""

    document = models.ForeignKey(SourceDocument, verbose_name="文档", on_delete=models.CASCADE, related_name="reports")
    index = models.PositiveIntegerField("篇序")
    start = models.PositiveIntegerField("起始位置")
    end = models.PositiveIntegerField("结束位置")
    title = models.CharField("标题", max_length=200, blank=True)
    detected = models.JSONField("识别结果", default=dict, blank=True,
                                help_text="识别出的区域、年份及其依据（原文片段和位置）")
    suggested_region = models.ForeignKey("regions.Region", verbose_name="识别的区域", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="确认的区域", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    year_first = models.PositiveSmallIntegerField("起始年份", null=True, blank=True)
    year_last = models.PositiveSmallIntegerField("截止年份", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    duplicate_of = models.ForeignKey("self", verbose_name="重复于", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="copies")
    duplicate_score = models.FloatField("相似度", null=True, blank=True)

    class Meta:
        verbose_name = "报告篇目"
        verbose_name_plural = "报告篇目"
        ordering = ["document", "index"]
        constraints = [models.UniqueConstraint(fields=["document", "index"], name="extraction_report_index_unique")]

    def __str__(self) -> str:
        return f"篇{self.index}“{self.title}”"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def single_year(self) -> int | None:
        return self.year_first if self.year_first and self.year_first == self.year_last else None


class FactStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "已接受"
    IGNORED = "ignored", "已忽略"


class ExtractedFact(TimeStampedModel):
    document = models.ForeignKey(SourceDocument, verbose_name="文档", on_delete=models.CASCADE, related_name="facts")
    report = models.ForeignKey(SourceReport, verbose_name="所在篇目", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="facts")
    copy_of = models.ForeignKey("self", verbose_name="重复于", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="copies", help_text="重复篇目或章节中的同一数据：只审核原处那一条")
    place = models.CharField("所述地区", max_length=60, blank=True,
                             help_text="数据所在句子点名的其他地区（下级或外地）：不是本篇区域的数据")
    features = models.JSONField("数据性质", default=dict, blank=True,
                                help_text="实际/目标、当年/累计、总量/人均/占比/增幅、分项等，匹配指标时使用")
    start = models.PositiveIntegerField("起始位置")
    end = models.PositiveIntegerField("结束位置")
    text = models.CharField("原文", max_length=200)
    value = models.DecimalField("数值", max_digits=24, decimal_places=6)
    value_high = models.DecimalField("上限", max_digits=24, decimal_places=6, null=True, blank=True)
    unit = models.CharField("单位", max_length=20, blank=True)
    approx = models.BooleanField("约数", default=False)
    subject = models.CharField("统计对象", max_length=200, blank=True)
    suspicious = models.BooleanField("可疑", default=False)
    section = models.CharField("所在章节", max_length=300, blank=True)
    indicator = models.ForeignKey("plans.Indicator", verbose_name="对应指标", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    confidence = models.FloatField("匹配置信度", default=0)
    mapped_value = models.DecimalField("换算后数值", max_digits=24, decimal_places=6, null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=FactStatus.choices, default=FactStatus.PENDING)
    ignore_reason = models.CharField("忽略原因", max_length=300, blank=True)
    accepted_value = models.ForeignKey("collection.IndicatorValue", verbose_name="采用的数据", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "提取数据"
        verbose_name_plural = "提取数据"
        ordering = ["document", "start"]
        indexes = [models.Index(fields=["document", "status"])]

    def __str__(self) -> str:
        return f"{self.text}（文档#{self.document_id}:{self.start}-{self.end}）"

    FEATURE_LABELS = {("kind", "target"): "目标/计划", ("span", "cumulative"): "多年累计",
                      ("measure", "per_capita"): "人均", ("measure", "growth"): "增幅", ("measure", "share"): "占比",
                      ("component", True): "分项", ("total_marker", True): "总数", ("increment", True): "新增数",
                      ("over", True): "下限（超过、不低于）"}

    @property
    def feature_labels(self) -> list[str]:
        """What kind of figure this is, in the words the review page shows."""
        features = self.features or {}
        labels = [label for (key, value), label in self.FEATURE_LABELS.items() if features.get(key) == value]
        if features.get("other_place") and not self.place:  # the mapper's own reading, when the page names no place
            labels.append(f"{features['other_place']}的数")
        return labels

    @property
    def blocked(self) -> dict | None:
        """The indicator whose name fits but which cannot take a figure of this kind, and why."""
        return (self.features or {}).get("blocked")

    @property
    def source_label(self) -> str:
        return f"提取:文档#{self.document_id}:{self.start}-{self.end}"
