"""Forms of the plans pages. They only collect input; the services validate and write."""

from django import forms

from kesu.regions.models import Region

from . import selectors
from .models import POPULATIONS, Category, PlanKind, RegionAggregation, TimeAggregation, ValueType


class BootstrapMixin:
    """Give every widget its Bootstrap class."""

    def _style(self):
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth, 0)}{obj.name}"


class PlanForm(BootstrapMixin, forms.Form):
    region = RegionChoiceField(label="区域", queryset=Region.objects.none())
    framework = forms.ModelChoiceField(label="纲要框架", queryset=None)
    kind = forms.ChoiceField(label="类型", choices=PlanKind.choices)
    title = forms.CharField(label="标题", max_length=200)
    start_year = forms.IntegerField(label="起始年份", min_value=1900, max_value=2200)
    end_year = forms.IntegerField(label="终止年份", min_value=1900, max_value=2200)
    parent = forms.ModelChoiceField(label="所属实施方案", queryset=None, required=False,
                                    help_text="仅年度工作要点需要选择")
    summary = forms.CharField(label="主要目标", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.managed_regions(scope)
        self.fields["framework"].queryset = selectors.frameworks_for_scope(scope)
        self.fields["parent"].queryset = selectors.plans_for_scope(scope).filter(kind=PlanKind.IMPLEMENTATION)
        if scope.region_id and not self.is_bound:
            self.initial.setdefault("region", scope.region_id)
        self._style()


class TaskForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label="序号", max_length=20, required=False)
    title = forms.CharField(label="任务", max_length=300)
    item = forms.ModelChoiceField(label="纲要条目", queryset=None, required=False)
    # Not required here: the service refuses a task without 牵头单位 with a message naming the task.
    lead_units = forms.ModelMultipleChoiceField(label="牵头单位", queryset=None, required=False,
                                                help_text="必选 1—3 个；电脑上按住 Ctrl 可多选")
    responsible_units = forms.ModelMultipleChoiceField(label="责任单位", queryset=None, required=False)
    all_members_responsible = forms.BooleanField(label="各成员单位负责", required=False)
    due_period = forms.CharField(label="完成期限", max_length=10, required=False,
                                 help_text="报告期编号，如 2025、2025S1、2025Q3 或 202511")
    indicators = forms.ModelMultipleChoiceField(label="关联指标", queryset=None, required=False)
    description = forms.CharField(label="任务内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        units = selectors.plan_units(plan)
        self.fields["lead_units"].queryset = units
        self.fields["responsible_units"].queryset = units
        self.fields["item"].queryset = selectors.framework_items_for_plan(plan)
        self.fields["item"].empty_label = "（不归入纲要条目）"
        self.fields["item"].label_from_instance = lambda i: f"{i.code} {i.name}"
        self.fields["indicators"].queryset = selectors.plan_indicators(plan)
        self.fields["indicators"].label_from_instance = lambda i: f"{i.code} {i.name}（{i.unit}）"
        self.fields["lead_units"].widget.attrs["size"] = 6
        self.fields["responsible_units"].widget.attrs["size"] = 8
        self.fields["indicators"].widget.attrs["size"] = 8
        self._style()


class TargetForm(BootstrapMixin, forms.Form):
    indicator = forms.ModelChoiceField(label="指标", queryset=None)
    region = RegionChoiceField(label="区域", queryset=None)
    year = forms.TypedChoiceField(label="年份", coerce=int)
    value = forms.CharField(label="目标值", max_length=30)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = selectors.tracked_indicators(plan)
        self.fields["indicator"].label_from_instance = lambda i: f"{i.name}（{i.unit}）"
        self.fields["region"].queryset = Region.objects.filter(path__startswith=plan.region.path,
                                                               depth__lte=plan.region.depth + 1).order_by("path")
        self.fields["year"].choices = [(y, f"{y}年") for y in plan.years]
        self._style()


class ConsistencyForm(BootstrapMixin, forms.Form):
    indicator = forms.ModelChoiceField(label="指标", queryset=None)
    year = forms.TypedChoiceField(label="年份", coerce=int)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = selectors.tracked_indicators(plan)
        self.fields["indicator"].label_from_instance = lambda i: f"{i.name}（{i.unit}）"
        self.fields["year"].choices = [(y, f"{y}年") for y in plan.years]
        self._style()


class _RegionTasksForm(BootstrapMixin, forms.Form):
    region = RegionChoiceField(label="区域", queryset=Region.objects.none())
    tasks = forms.ModelMultipleChoiceField(label="相关任务", queryset=None, required=False)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.managed_regions(scope)
        from .models import Task

        self.fields["tasks"].queryset = Task.objects.filter(
            plan__in=selectors.plans_for_scope(scope).filter(region__in=selectors.managed_regions(scope))
        ).select_related("plan").order_by("plan__start_year", "sort")
        self.fields["tasks"].label_from_instance = lambda t: f"{t.plan.title}：{t}"
        self.fields["tasks"].widget.attrs["size"] = 6
        if scope.region_id and not self.is_bound:
            self.initial.setdefault("region", scope.region_id)
        self._style()


class DocumentForm(_RegionTasksForm):
    doc_no = forms.CharField(label="文号", max_length=60, required=False, help_text="如 ×府办〔2021〕68号")
    title = forms.CharField(label="标题", max_length=300)
    issuer = forms.CharField(label="发文机关", max_length=100)
    issued_on = forms.DateField(label="印发日期", widget=forms.DateInput(attrs={"type": "date"}))
    field_order = ["region", "doc_no", "title", "issuer", "issued_on", "tasks"]


class MeetingForm(_RegionTasksForm):
    title = forms.CharField(label="会议名称", max_length=200)
    held_on = forms.DateField(label="召开日期", widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.CharField(label="参会人员", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    decisions = forms.CharField(label="议定事项", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    field_order = ["region", "title", "held_on", "attendees", "decisions", "tasks"]


class IndicatorForm(BootstrapMixin, forms.Form):
    region = RegionChoiceField(label="所属区域", queryset=Region.objects.none())
    code = forms.CharField(label="编码", max_length=40, help_text="大写字母、数字和下划线，如 LOCAL_FARM_VISITS")
    name = forms.CharField(label="名称", max_length=120)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    unit = forms.CharField(label="计量单位", max_length=20)
    value_type = forms.ChoiceField(label="数值类型", choices=ValueType.choices)
    region_aggregation = forms.ChoiceField(label="跨区域汇总", choices=RegionAggregation.choices)
    time_aggregation = forms.ChoiceField(label="跨期汇总", choices=TimeAggregation.choices,
                                         help_text="流量（人次、场次、经费）求和；存量（个数、人数）取期末值")
    numerator = forms.CharField(label="分子指标", required=False, help_text="仅比率指标：指标编码，多个用顿号或逗号分隔")
    denominator = forms.CharField(label="分母指标", required=False)
    factor = forms.DecimalField(label="系数", initial=1, required=False, help_text="百分比填 100")
    aliases = forms.CharField(label="别名", required=False, help_text="工作报告中的其他说法，用顿号分隔")
    population = forms.ChoiceField(label="重点人群", required=False,
                                   choices=[("", "（不适用）")] + [(p, p) for p in POPULATIONS])
    description = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.managed_regions(scope)
        if scope.region_id and not self.is_bound:
            self.initial.setdefault("region", scope.region_id)
        self._style()


class LocaliseForm(BootstrapMixin, forms.Form):
    region = RegionChoiceField(label="本地化到区域", queryset=Region.objects.none())

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.managed_regions(scope)
        if scope.region_id and not self.is_bound:
            self.initial.setdefault("region", scope.region_id)
        self._style()
