from django.db import models

from kesu.core.models import TimeStampedModel


class Framework(TimeStampedModel):
    """A 纲要 as data: the built-in 2006 and 2021 纲要 (``region`` empty) or a region's localised copy.

    A localised copy (``based_on`` set) can rename, drop and add items without touching the built-in one.
    """

    code = models.CharField("编码", max_length=40)
    name = models.CharField("名称", max_length=120)
    doc_no = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    start_year = models.PositiveSmallIntegerField("起始年份")
    end_year = models.PositiveSmallIntegerField("终止年份")
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区域", null=True, blank=True, on_delete=models.CASCADE,
        related_name="frameworks",
    )
    based_on = models.ForeignKey(
        "self", verbose_name="来源纲要", null=True, blank=True, on_delete=models.PROTECT, related_name="localisations"
    )
    details = models.JSONField("其他信息", default=dict, blank=True, help_text="方针、原则、目标等")

    class Meta:
        verbose_name = "纲要框架"
        verbose_name_plural = "纲要框架"
        ordering = ["-start_year", "region_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=models.Q(region__isnull=True),
                                    name="plans_framework_builtin_code"),
            models.UniqueConstraint(fields=["region", "code"], name="plans_framework_region_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.region_id is None


class ItemKind(models.TextChoices):
    ACTION = "action", "提升行动"
    PROJECT = "project", "重点工程"
    POPULATION = "population", "重点人群行动"
    BASIC_PROJECT = "basic_project", "基础工程"
    SUBITEM = "subitem", "具体任务"
    OTHER = "other", "其他"


class FrameworkItem(models.Model):
    """An item of a framework: an action (提升行动), a project (重点工程) or one of their sub-items."""

    framework = models.ForeignKey(Framework, verbose_name="纲要框架", on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", verbose_name="上级条目", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField("编码", max_length=20)
    kind = models.CharField("类别", max_length=20, choices=ItemKind.choices)
    name = models.CharField("名称", max_length=120)
    population = models.CharField("重点人群", max_length=30, blank=True)
    default_leads = models.JSONField("默认牵头部门", default=list, blank=True)
    local_lead_kinds = models.JSONField("本级牵头部门类别", default=list, blank=True)
    unverified = models.BooleanField("待核实", default=False, help_text="未与官方原文核对的条目")
    leads_unverified = models.BooleanField("牵头部门待核实", default=False,
                                           help_text="条目名称已核实，但默认牵头部门未与官方分工核对")
    details = models.JSONField("其他信息", default=dict, blank=True, help_text="说明、可选条目等")
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "纲要条目"
        verbose_name_plural = "纲要条目"
        ordering = ["framework", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="plans_item_unique_code")]

    def __str__(self) -> str:
        return self.name


# Key populations (重点人群) of the 2021 纲要 and the 社区居民 group of the 2011—2015 period; the 2006 纲要 also
# names 未成年人 and 城镇劳动者.
POPULATIONS = ["青少年", "农民", "产业工人", "老年人", "领导干部和公务员", "社区居民", "未成年人", "城镇劳动者"]


class Category(models.TextChoices):
    BASE = "base", "基础数据"
    LITERACY = "literacy", "科学素质"
    PERSONNEL = "personnel", "科普人员"
    SITES = "sites", "科普场地"
    FUNDS = "funds", "科普经费"
    MEDIA = "media", "科普传媒"
    ACTIVITIES = "activities", "科普活动"
    TRAINING = "training", "培训"
    ORGANIZATION = "organization", "基层组织与示范创建"


class ValueType(models.TextChoices):
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "小数"
    PERCENT = "percent", "百分比"


class RegionAggregation(models.TextChoices):
    """How values of child regions combine into their parent's."""

    SUM = "sum", "求和"
    AVERAGE = "avg", "平均"
    MAX = "max", "最大值"
    MIN = "min", "最小值"
    RATIO = "ratio", "比率重算"
    NONE = "none", "不汇总"


class TimeAggregation(models.TextChoices):
    """How values of shorter periods combine into a longer one: flows sum, stocks take the period-end value."""

    SUM = "sum", "求和（流量）"
    LATEST = "latest", "期末值（存量）"
    AVERAGE = "avg", "平均"
    MAX = "max", "最大值"


class Indicator(TimeStampedModel):
    """An indicator of the catalogue: built-in (``region`` empty) or added by an office for its region.

    A ratio indicator is recomputed as Σnumerator ÷ Σdenominator × factor and is never summed or averaged.
    ``aliases`` are other names the indicator goes by in reports (used to map extracted text to indicators).
    """

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=120)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    value_type = models.CharField("数值类型", max_length=10, choices=ValueType.choices, default=ValueType.INTEGER)
    region_aggregation = models.CharField("跨区域汇总", max_length=10, choices=RegionAggregation.choices,
                                          default=RegionAggregation.SUM)
    time_aggregation = models.CharField("跨期汇总", max_length=10, choices=TimeAggregation.choices,
                                        default=TimeAggregation.SUM)
    numerator = models.JSONField("分子指标", default=list, blank=True)
    denominator = models.JSONField("分母指标", default=list, blank=True)
    factor = models.DecimalField("系数", max_digits=12, decimal_places=4, default=1)
    aliases = models.JSONField("别名", default=list, blank=True)
    population = models.CharField("重点人群", max_length=30, blank=True)
    description = models.TextField("说明", blank=True)
    min_value = models.DecimalField("最小值", max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField("最大值", max_digits=20, decimal_places=4, null=True, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区域", null=True, blank=True, on_delete=models.CASCADE,
        related_name="indicators", help_text="为空表示内置指标",
    )
    unverified = models.BooleanField("待核实", default=False)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    @property
    def is_ratio(self) -> bool:
        return self.region_aggregation == RegionAggregation.RATIO

    @property
    def is_builtin(self) -> bool:
        return self.region_id is None


class PlanKind(models.TextChoices):
    IMPLEMENTATION = "implementation", "实施方案"
    ANNUAL = "annual", "年度工作要点"


class Plan(TimeStampedModel):
    """A region's 实施方案 (e.g. 2021—2025) or annual 工作要点, decomposing a framework into tasks."""

    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="plans")
    framework = models.ForeignKey(Framework, verbose_name="纲要框架", on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField("类型", max_length=20, choices=PlanKind.choices, default=PlanKind.IMPLEMENTATION)
    title = models.CharField("标题", max_length=200)
    start_year = models.PositiveSmallIntegerField("起始年份")
    end_year = models.PositiveSmallIntegerField("终止年份")
    parent = models.ForeignKey(
        "self", verbose_name="所属实施方案", null=True, blank=True, on_delete=models.PROTECT, related_name="annual_plans"
    )
    document = models.ForeignKey(
        "PolicyDocument", verbose_name="印发文件", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField("主要目标", blank=True)

    class Meta:
        verbose_name = "规划方案"
        verbose_name_plural = "规划方案"
        ordering = ["region__path", "-start_year", "kind"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")), name="plans_plan_years"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Task(TimeStampedModel):
    """A task of a plan, with 1–3 牵头单位 and any number of 责任单位 (or 各成员单位)."""

    plan = models.ForeignKey(Plan, verbose_name="规划方案", on_delete=models.CASCADE, related_name="tasks")
    item = models.ForeignKey(
        FrameworkItem, verbose_name="纲要条目", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    number = models.CharField("序号", max_length=20, blank=True)
    title = models.CharField("任务", max_length=300)
    description = models.TextField("任务内容", blank=True)
    all_members_responsible = models.BooleanField("各成员单位负责", default=False)
    due_period = models.CharField("完成期限", max_length=10, blank=True, help_text="报告期编号，如 2025 或 2025S1")
    indicators = models.ManyToManyField(Indicator, verbose_name="关联指标", blank=True, related_name="tasks")
    units = models.ManyToManyField("orgs.Unit", through="TaskUnit", verbose_name="单位", related_name="tasks")
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["plan", "sort", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class TaskRole(models.TextChoices):
    LEAD = "lead", "牵头单位"
    RESPONSIBLE = "responsible", "责任单位"


class TaskUnit(models.Model):
    """A unit's part in a task: 牵头 (lead) or 责任 (responsible)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="task_units")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="task_units")
    role = models.CharField("职责", max_length=15, choices=TaskRole.choices)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "任务单位"
        verbose_name_plural = "任务单位"
        ordering = ["task", "role", "sort"]
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="plans_taskunit_unique")]


class Target(TimeStampedModel):
    """A target value for one indicator, one region and one year under a plan."""

    plan = models.ForeignKey(Plan, verbose_name="规划方案", on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="targets")
    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField("年份")
    value = models.DecimalField("目标值", max_digits=20, decimal_places=4)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        ordering = ["plan", "indicator__sort", "region__path", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "indicator", "region", "year"], name="plans_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year} {self.indicator.name} {self.value}"


class PolicyDocument(TimeStampedModel):
    """A policy document: 文号, title, issuer, date (e.g. 渠府办〔2021〕68号 关于印发…实施方案的通知)."""

    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.PROTECT,
                               related_name="documents")
    doc_no = models.CharField("文号", max_length=60, blank=True)
    title = models.CharField("标题", max_length=300)
    issuer = models.CharField("发文机关", max_length=100)
    issued_on = models.DateField("印发日期")
    tasks = models.ManyToManyField(Task, verbose_name="相关任务", blank=True, related_name="documents")

    class Meta:
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"
        ordering = ["-issued_on", "id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.doc_no}）" if self.doc_no else self.title


class Meeting(TimeStampedModel):
    """A meeting of the coordination body or its office: date, attendees, decisions."""

    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField("会议名称", max_length=200)
    held_on = models.DateField("召开日期")
    attendees = models.TextField("参会人员", blank=True)
    decisions = models.TextField("议定事项", blank=True)
    tasks = models.ManyToManyField(Task, verbose_name="相关任务", blank=True, related_name="meetings")

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-held_on", "id"]

    def __str__(self) -> str:
        return self.title
