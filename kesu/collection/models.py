"""What the collection app stores: data sets, activities, indicator values, narratives, rules and submissions.

A *reporter* is either a member unit (``region`` = the unit's region, ``unit`` set) or a region itself
(``unit`` empty: the region's own total, filled by that region's office). Values, narratives and submissions are
all keyed by (region, unit nullable, period id); a unit-less row is the region's own return.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from kesu.core.models import TimeStampedModel
from kesu.core.periods import PERIOD_TYPES, YEAR

# ---------------------------------------------------------------------------------------------------------------
# Choices
# ---------------------------------------------------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    TRAINING = "training", "培训"
    LECTURE = "lecture", "讲座"
    EXHIBITION = "exhibition", "展览"
    CONTEST = "contest", "竞赛"
    SCIENCE_DAY = "science_day", "科普日"
    SCIENCE_WEEK = "science_week", "科技活动周"
    THREE_TO_COUNTRYSIDE = "three_to_countryside", "三下乡"
    CARAVAN = "caravan", "科普大篷车"
    CONSULTING = "consulting", "科技咨询"
    SCREENING = "screening", "影视放映"
    CAMP = "camp", "夏令营"
    OTHER = "other", "其他"


class Population(models.TextChoices):
    YOUTH = "youth", "青少年"
    FARMER = "farmer", "农民"
    WORKER = "worker", "产业工人"
    ELDER = "elder", "老年人"
    CADRE = "cadre", "领导干部和公务员"
    COMMUNITY = "community", "社区居民"
    PUBLIC = "public", "公众"


class Measure(models.TextChoices):
    """What an activity-derived indicator adds up."""

    PARTICIPANTS = "participants", "参加人次"
    SESSIONS = "sessions", "期（场）次"
    PEOPLE = "people", "人数"
    MATERIALS = "materials", "发放资料份数"
    FUNDS = "funds", "经费（元）"
    COUNT = "count", "活动次数"


class SubmissionStatus(models.TextChoices):
    EMPTY = "empty", "未填报"
    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核"
    ACCEPTED = "accepted", "已接收"


EDITABLE_STATUSES = {SubmissionStatus.EMPTY, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED}
LOCKED_STATUSES = {SubmissionStatus.APPROVED, SubmissionStatus.ACCEPTED}


class RuleKind(models.TextChoices):
    EXPRESSION = "expression", "关系式"
    YOY = "yoy", "同比波动"


class Severity(models.TextChoices):
    BLOCKING = "blocking", "阻断"
    EXPLAIN = "explain", "需说明"


def _unit_null_constraints(fields: list[str], name: str) -> list[models.UniqueConstraint]:
    """Uniqueness over ``fields`` + unit where unit may be NULL (NULLs are distinct in SQL, so two constraints)."""
    return [
        models.UniqueConstraint(fields=[*fields, "unit"], name=f"{name}_unit"),
        models.UniqueConstraint(fields=fields, condition=Q(unit__isnull=True), name=f"{name}_region"),
    ]


# ---------------------------------------------------------------------------------------------------------------
# Data sets
# ---------------------------------------------------------------------------------------------------------------


class DataSet(TimeStampedModel):
    """What is reported, by whom, how often and until when (an office's 报表 such as 年度科普工作统计).

    Reporters are the member units (``units``; empty = every active unit) of the owner region and of the regions
    below it down to ``lowest_level``, and those lower regions themselves (their own return, filled by their office).
    Entry is open from the period start until ``close_days`` after the period end; ``due_days`` after the end is
    the deadline. After closing, entry is locked unless the office opens a ``LockException``.
    """

    region = models.ForeignKey("regions.Region", verbose_name="所属区域", on_delete=models.PROTECT,
                               related_name="data_sets")
    code = models.CharField("编码", max_length=40)
    name = models.CharField("名称", max_length=120)
    period_type = models.CharField("报告期类型", max_length=1, choices=PERIOD_TYPES, default=YEAR)
    indicators = models.ManyToManyField("plans.Indicator", verbose_name="指标", blank=True, related_name="data_sets")
    units = models.ManyToManyField("orgs.Unit", verbose_name="填报单位", blank=True, related_name="data_sets",
                                   help_text="为空表示各区域全部在册成员单位")
    units_report = models.BooleanField("成员单位填报", default=True)
    lowest_level = models.PositiveSmallIntegerField("下级区域填报至层级", null=True, blank=True,
                                                    help_text="为空表示下级区域不单独填报")
    due_days = models.PositiveSmallIntegerField("报告期结束后截止天数", default=15)
    close_days = models.PositiveSmallIntegerField("报告期结束后锁定天数", default=30)
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "数据集"
        verbose_name_plural = "数据集"
        ordering = ["region__path", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="collection_dataset_code")]

    def __str__(self) -> str:
        return self.name


class LockException(TimeStampedModel):
    """The office reopens entry for one reporter (or all reporters of a region) after the window closed."""

    data_set = models.ForeignKey(DataSet, verbose_name="数据集", on_delete=models.CASCADE,
                                 related_name="lock_exceptions")
    period_id = models.CharField("报告期", max_length=7)
    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    until = models.DateField("开放至")
    reason = models.CharField("原因", max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "补报开放"
        verbose_name_plural = "补报开放"
        indexes = [models.Index(fields=["data_set", "period_id", "region"])]


# ---------------------------------------------------------------------------------------------------------------
# Activities
# ---------------------------------------------------------------------------------------------------------------


class Activity(TimeStampedModel):
    """One 科普 activity organised by a member unit: a training, lecture, exhibition, 科普日 event …

    Identified for imports by (unit, title, start date) or by ``external_key``. ``version`` rises on every save so
    that a second concurrent edit is refused instead of silently overwriting the first.
    """

    unit = models.ForeignKey("orgs.Unit", verbose_name="组织单位", on_delete=models.PROTECT, related_name="activities")
    region = models.ForeignKey("regions.Region", verbose_name="举办地区域", on_delete=models.PROTECT,
                               related_name="activities")
    kind = models.CharField("活动类型", max_length=30, choices=ActivityKind.choices)
    title = models.CharField("活动名称", max_length=200)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    population = models.CharField("面向人群", max_length=20, choices=Population.choices, default=Population.PUBLIC)
    framework_item = models.ForeignKey("plans.FrameworkItem", verbose_name="纲要条目", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="activities")
    task = models.ForeignKey("plans.Task", verbose_name="任务", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="activities")
    sessions = models.PositiveIntegerField("期（场）次", default=1)
    participants = models.PositiveIntegerField("参加人次", default=0)
    people = models.PositiveIntegerField("参加人数", null=True, blank=True)
    materials = models.PositiveIntegerField("发放资料（份）", default=0)
    funds = models.DecimalField("经费（元）", max_digits=14, decimal_places=2, default=0)
    place = models.CharField("地点", max_length=200, blank=True)
    notes = models.TextField("备注", blank=True)
    external_key = models.CharField("外部编号", max_length=80, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    source = models.CharField("来源", max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "科普活动"
        verbose_name_plural = "科普活动"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "title", "start_date"], name="collection_activity_natural_key"),
            models.UniqueConstraint(fields=["unit", "external_key"], condition=~Q(external_key=""),
                                    name="collection_activity_external_key"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")),
                                   name="collection_activity_dates"),
        ]
        indexes = [
            models.Index(fields=["unit", "start_date"]),
            models.Index(fields=["kind", "population", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.start_date:%Y-%m-%d} {self.title}"


def attachment_path(instance: "ActivityAttachment", filename: str) -> str:
    return f"activities/{instance.activity.start_date:%Y}/{instance.activity_id}/{filename}"


class ActivityAttachment(TimeStampedModel):
    """A photo or PDF of an activity; its type is checked from the content, not from the file name."""

    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=60)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "活动附件"
        verbose_name_plural = "活动附件"
        ordering = ["activity", "id"]

    def __str__(self) -> str:
        return self.original_name


class ActivityIndicatorRule(TimeStampedModel):
    """An indicator computed from activities, e.g. 农村实用技术培训人次 = Σ participants of 培训 for 农民.

    Empty ``kinds`` / ``populations`` mean "any". Such an indicator is never typed in: the grid shows the computed
    figure and the value service refuses direct entry.
    """

    indicator = models.OneToOneField("plans.Indicator", verbose_name="指标", on_delete=models.CASCADE,
                                     related_name="activity_rule")
    kinds = models.JSONField("活动类型", default=list, blank=True)
    populations = models.JSONField("面向人群", default=list, blank=True)
    measure = models.CharField("计量", max_length=20, choices=Measure.choices)

    class Meta:
        verbose_name = "活动派生指标"
        verbose_name_plural = "活动派生指标"

    def __str__(self) -> str:
        return f"{self.indicator} ← {self.get_measure_display()}"


# ---------------------------------------------------------------------------------------------------------------
# Indicator values and narratives
# ---------------------------------------------------------------------------------------------------------------


class IndicatorValue(TimeStampedModel):
    """One figure: indicator × region × unit (empty = the region's own total) × period.

    ``value`` is empty when a figure was cleared (the row stays so that its history stays attached). Whether it
    can still change is decided by the submission covering it, not by a flag here.
    """

    indicator = models.ForeignKey("plans.Indicator", verbose_name="指标", on_delete=models.PROTECT,
                                  related_name="values")
    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="values")
    unit = models.ForeignKey("orgs.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="values")
    period_id = models.CharField("报告期", max_length=7)
    value = models.DecimalField("数值", max_digits=20, decimal_places=4, null=True, blank=True)
    explanation = models.TextField("情况说明", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    source = models.CharField("来源", max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "指标数值"
        verbose_name_plural = "指标数值"
        ordering = ["indicator__sort", "period_id"]
        # The unique constraints double as the index behind a cell save and the last-year lookup.
        constraints = _unit_null_constraints(["indicator", "region", "period_id"], "collection_value")
        indexes = [models.Index(fields=["region", "unit", "period_id"], name="collection_value_reporter")]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.region_id}/{self.unit_id or '-'}/{self.period_id}={self.value}"


class Narrative(TimeStampedModel):
    """The text a unit writes for a task and period: 工作进展, 主要成效, 存在问题, 下步打算."""

    task = models.ForeignKey("plans.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="narratives")
    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.PROTECT,
                               related_name="narratives")
    unit = models.ForeignKey("orgs.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="narratives")
    period_id = models.CharField("报告期", max_length=7)
    progress = models.TextField("工作进展", blank=True)
    results = models.TextField("主要成效", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步打算", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    source = models.CharField("来源", max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    TEXT_FIELDS = ["progress", "results", "problems", "next_steps"]

    class Meta:
        verbose_name = "工作情况"
        verbose_name_plural = "工作情况"
        ordering = ["task", "period_id"]
        constraints = _unit_null_constraints(["task", "region", "period_id"], "collection_narrative")
        indexes = [models.Index(fields=["region", "unit", "period_id"], name="collection_narr_reporter")]

    def __str__(self) -> str:
        return f"{self.task} {self.period_id}"


# ---------------------------------------------------------------------------------------------------------------
# Validation rules
# ---------------------------------------------------------------------------------------------------------------


class ValidationRule(TimeStampedModel):
    """A check over the figures of one reporter and period.

    ``expression`` compares indicator codes (``TRN_FARMER_P >= TRN_FARMER_SESSIONS``); a ``yoy`` rule flags a
    change against the same period last year beyond ``threshold_pct``. Built-in rules (``region`` empty) come from
    the package YAML; an office adds local rules that apply to its subtree.
    """

    code = models.CharField("编码", max_length=60)
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=12, choices=RuleKind.choices, default=RuleKind.EXPRESSION)
    expression = models.CharField("关系式", max_length=500, blank=True)
    indicator = models.ForeignKey("plans.Indicator", verbose_name="指标", null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="yoy_rules")
    threshold_pct = models.DecimalField("波动阈值（%）", max_digits=8, decimal_places=2, null=True, blank=True)
    severity = models.CharField("处理方式", max_length=10, choices=Severity.choices, default=Severity.BLOCKING)
    message = models.CharField("提示", max_length=300, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name="所属区域", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="validation_rules", help_text="为空表示内置规则")
    is_active = models.BooleanField("启用", default=True)
    codes = models.JSONField("涉及指标", default=list, blank=True, help_text="由关系式解析得出")

    class Meta:
        verbose_name = "审核规则"
        verbose_name_plural = "审核规则"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(region__isnull=True),
                                    name="collection_rule_builtin_code"),
            models.UniqueConstraint(fields=["region", "code"], name="collection_rule_region_code"),
        ]

    def __str__(self) -> str:
        return self.name


class OutlierRule(TimeStampedModel):
    """One indicator's own outlier thresholds (see ``outliers.py``); an empty field takes the built-in default.

    Figures differ in how much they move from year to year: a county's 科普示范村 count barely moves, its activity
    participants may double with one large event. As in DHIS2's outlier detection, each indicator can carry its own
    jump ratio, minimum difference and z-score thresholds, or have detection switched off.
    """

    indicator = models.OneToOneField("plans.Indicator", verbose_name="指标", on_delete=models.CASCADE,
                                     related_name="outlier_rule")
    enabled = models.BooleanField("启用异常值检测", default=True)
    jump_ratio = models.DecimalField("同比突变倍数", max_digits=8, decimal_places=2, null=True, blank=True)
    min_diff = models.DecimalField("最小差额", max_digits=20, decimal_places=4, null=True, blank=True)
    modified_z = models.DecimalField("修正 Z 值阈值", max_digits=6, decimal_places=2, null=True, blank=True)
    z_score = models.DecimalField("Z 值阈值", max_digits=6, decimal_places=2, null=True, blank=True)
    range_factor = models.DecimalField("历史范围放宽倍数", max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "异常值检测阈值"
        verbose_name_plural = "异常值检测阈值"
        ordering = ["indicator__sort", "indicator__code"]

    def __str__(self) -> str:
        return f"{self.indicator} 异常值阈值"


# ---------------------------------------------------------------------------------------------------------------
# Submissions
# ---------------------------------------------------------------------------------------------------------------


class Submission(TimeStampedModel):
    """The return of one reporter for one data set and period, and where it stands in the approval flow."""

    data_set = models.ForeignKey(DataSet, verbose_name="数据集", on_delete=models.PROTECT, related_name="submissions")
    period_id = models.CharField("报告期", max_length=7)
    period_start = models.DateField("报告期开始")
    period_end = models.DateField("报告期结束")
    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.PROTECT,
                               related_name="submissions")
    unit = models.ForeignKey("orgs.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="submissions")
    status = models.CharField("状态", max_length=10, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.EMPTY)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    accepted_at = models.DateTimeField("接收时间", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)

    class Meta:
        verbose_name = "填报任务"
        verbose_name_plural = "填报任务"
        ordering = ["data_set", "period_id", "region__path", "unit_id"]
        constraints = _unit_null_constraints(["data_set", "period_id", "region"], "collection_submission")
        indexes = [
            models.Index(fields=["region", "unit", "period_start"], name="collection_sub_reporter"),
            models.Index(fields=["data_set", "period_id", "status"], name="collection_sub_status"),
        ]

    def __str__(self) -> str:
        who = self.unit.name if self.unit_id else self.region.name
        return f"{who} {self.data_set} {self.period_id}"

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES


class SubmissionEvent(models.Model):
    """One transition of a submission: who moved it from which status to which, when and why."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("动作", max_length=20)
    from_status = models.CharField("原状态", max_length=10, choices=SubmissionStatus.choices)
    to_status = models.CharField("新状态", max_length=10, choices=SubmissionStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.TextField("原因", blank=True)

    class Meta:
        verbose_name = "填报流转记录"
        verbose_name_plural = "填报流转记录"
        ordering = ["submission", "at", "id"]


class ReminderLog(models.Model):
    """A reminder sent for one submission on one day (so ``send_reminders`` can run again the same day)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField("类型", max_length=10)  # "before" | "overdue"
    sent_on = models.DateField("日期")
    recipients = models.TextField("收件人", blank=True)

    class Meta:
        verbose_name = "催报记录"
        verbose_name_plural = "催报记录"
        constraints = [
            models.UniqueConstraint(fields=["submission", "kind", "sent_on"], name="collection_reminder_day"),
        ]



class RollupRow(models.Model):
    """The approved figure of one region for one indicator and period; ``collection.rollup`` keeps it in step."""

    indicator = models.ForeignKey("plans.Indicator", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    period_id = models.CharField("报告期", max_length=7)
    value = models.DecimalField("汇总值", max_digits=24, decimal_places=6, null=True)
    own = models.DecimalField("本级填报值", max_digits=24, decimal_places=6, null=True)
    parts = models.DecimalField("下级及单位合计", max_digits=24, decimal_places=6, null=True)

    class Meta:
        app_label = "collection"
        verbose_name = "汇总行"
        verbose_name_plural = "汇总行"
        constraints = [models.UniqueConstraint(fields=["region", "period_id", "indicator"],
                                               name="collection_rollup_key")]
        # Cross-level mismatches are rare: a partial index keeps listing them cheap.
        indexes = [models.Index(fields=["period_id", "region"], name="collection_rollup_both",
                                condition=models.Q(own__isnull=False, parts__isnull=False))]


# The Excel import job lives in its own module (owned by the Excel import); importing it registers the model.
from .models_jobs import ExcelImport, ImportStatus  # noqa: E402,F401
