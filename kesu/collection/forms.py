"""Forms for the pages; they only shape input — the services do the checking and the writing."""

from django import forms
from django.db.models import Q

from kesu.core import clock
from kesu.plans.models import Task
from kesu.plans.selectors import unit_tasks
from kesu.regions.models import Region

from .models import Activity, ActivityKind, Population


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label="活动类型", choices=ActivityKind.choices)
    title = forms.CharField(label="活动名称", max_length=200)
    start_date = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_date = forms.DateField(label="结束日期", required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    population = forms.ChoiceField(label="面向人群", choices=Population.choices)
    region = forms.ModelChoiceField(label="举办地", queryset=Region.objects.none(), required=False,
                                    empty_label="（本单位所在区域）")
    task = forms.ModelChoiceField(label="对应任务", queryset=Task.objects.none(), required=False)
    sessions = forms.CharField(label="期（场）次", required=False, initial="1")
    participants = forms.CharField(label="参加人次", required=False, initial="0")
    people = forms.CharField(label="参加人数", required=False)
    materials = forms.CharField(label="发放资料（份）", required=False, initial="0")
    funds = forms.CharField(label="经费（元）", required=False, initial="0")
    place = forms.CharField(label="地点", max_length=200, required=False)
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label="修改原因", max_length=300, required=False)

    NUMBER_FIELDS = ["sessions", "participants", "people", "materials", "funds"]

    def __init__(self, data=None, *, instance: Activity | None, unit):
        initial = {}
        if instance is not None:
            initial = {f: getattr(instance, f) for f in ["kind", "title", "start_date", "end_date", "population",
                                                         "place", "notes", *self.NUMBER_FIELDS]}
            initial.update(region=instance.region_id, task=instance.task_id, version=instance.version)
        super().__init__(data, initial=initial)
        self.fields["region"].queryset = Region.objects.filter(path__startswith=unit.region.path).order_by("path")
        # The tasks of the plans in force in the activity's year (this year for a new one), as the home page lists.
        typed = str((data or {}).get("start_date") or "")[:4]
        year = int(typed) if typed.isdigit() else (
            instance.start_date.year if instance is not None and instance.start_date else clock.today().year)
        tasks = unit_tasks(unit.pk, unit.region_id, year)
        if instance is not None and instance.task_id:
            tasks = Task.objects.filter(Q(pk__in=tasks.values("pk")) | Q(pk=instance.task_id))
        self.fields["task"].queryset = tasks.select_related("plan").order_by("plan_id", "sort")
        for name in self.NUMBER_FIELDS:
            self.fields[name].widget.attrs.update(inputmode="numeric")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "reason")}
        if data.get("region") is None:
            data.pop("region")
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件（照片或 PDF，≤10 MB）",
                           widget=forms.ClearableFileInput(attrs={"class": "form-control",
                                                                  "accept": "image/*,application/pdf"}))
