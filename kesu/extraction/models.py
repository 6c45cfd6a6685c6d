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


class DuplicateKind(models.TextChoices):
    NONE = "", "无"
    NEAR = "near", "近似重复"


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


class FactStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "已接受"
    IGNORED = "ignored", "已忽略"


class ExtractedFact(TimeStampedModel):
    document = models.ForeignKey(SourceDocument, verbose_name="文档", on_delete=models.CASCADE, related_name="facts")
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

    @property
    def source_label(self) -> str:
        return f"提取:文档#{self.document_id}:{self.start}-{self.end}"
