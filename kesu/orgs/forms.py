from django import forms

from kesu.regions.forms import BootstrapForm

from .models import BodyKind, ContactPerson, CoordinationBody, PostKind, Unit, UnitKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _units_of(region, *, exclude=None):
    rows = Unit.objects.filter(region=region, valid_to__isnull=True).order_by("sort", "id")
    return rows.exclude(pk=exclude.pk) if exclude is not None else rows


class UnitForm(BootstrapForm):
    name = forms.CharField(label="单位名称", max_length=Unit._meta.get_field("name").max_length,
                           error_messages={"required": "请填写单位名称", "max_length": "单位名称最多 %(limit_value)d 个字"})
    short_name = forms.CharField(label="简称", required=False, max_length=Unit._meta.get_field("short_name").max_length,
                                 help_text="例如：县教育局、团县委")
    kind = forms.ChoiceField(label="部门类别", choices=UnitKind.choices, initial=UnitKind.OTHER,
                             error_messages={"invalid_choice": "请选择有效的部门类别"})
    valid_from = forms.DateField(label="成立日期", required=False, widget=DATE,
                                 error_messages={"invalid": "请输入有效日期，例如 2019-03-01"})
    sort = forms.IntegerField(label="排序", required=False, min_value=0, initial=0,
                              error_messages={"invalid": "请输入整数", "min_value": "排序不能为负数"})
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class UnitEndForm(BootstrapForm):
    valid_to = forms.DateField(label="撤销日期", widget=DATE,
                               error_messages={"required": "请填写撤销日期", "invalid": "请输入有效日期，例如 2024-01-01"})
    successor = forms.ModelChoiceField(label="继任单位（可选）", required=False, queryset=Unit.objects.none(),
                                       empty_label="（无继任单位）",
                                       error_messages={"invalid_choice": "请选择本级现有的成员单位"})
    reason = forms.CharField(label="说明（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="例如：机构改革，职责划入农业农村局")

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = _units_of(unit.region, exclude=unit)


class ContactForm(BootstrapForm):
    name = forms.CharField(label="姓名", max_length=ContactPerson._meta.get_field("name").max_length,
                           error_messages={"required": "请填写姓名"})
    title = forms.CharField(label="职务", required=False, max_length=ContactPerson._meta.get_field("title").max_length)
    phone = forms.CharField(label="电话", required=False, max_length=ContactPerson._meta.get_field("phone").max_length)
    email = forms.EmailField(label="电子邮箱", required=False, error_messages={"invalid": "电子邮箱格式不对"})
    is_liaison = forms.BooleanField(label="联络员（负责本单位数据报送）", required=False)


class BodyForm(BootstrapForm):
    name = forms.CharField(label="名称", required=False, max_length=CoordinationBody._meta.get_field("name").max_length,
                           help_text="留空则使用默认名称，如“渠县全民科学素质工作领导小组”")
    kind = forms.ChoiceField(label="类型", choices=BodyKind.choices, initial=BodyKind.LEADING_GROUP)
    office_unit = forms.ModelChoiceField(label="办公室所在单位", required=False, queryset=Unit.objects.none(),
                                         empty_label="（未设置）", help_text="通常为同级科协",
                                         error_messages={"invalid_choice": "请选择本级的成员单位"})
    established_on = forms.DateField(label="成立日期", required=False, widget=DATE,
                                     error_messages={"invalid": "请输入有效日期"})
    duties = forms.CharField(label="工作职责", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    members = forms.ModelMultipleChoiceField(label="成员单位", required=False, queryset=Unit.objects.none(),
                                             widget=forms.CheckboxSelectMultiple,
                                             error_messages={"invalid_choice": "请选择本级的成员单位"})

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office_unit"].queryset = _units_of(region)
        self.fields["members"].queryset = _units_of(region)
        self.fields["members"].widget.attrs["class"] = "form-check-input"


class PostForm(BootstrapForm):
    post = forms.ChoiceField(label="职位", choices=PostKind.choices)
    person_name = forms.CharField(label="姓名", max_length=30, error_messages={"required": "请填写姓名"})
    person_title = forms.CharField(label="职务", required=False, max_length=80, help_text="例如：县政府副县长")
    unit = forms.ModelChoiceField(label="所在单位", required=False, queryset=Unit.objects.none(), empty_label="（无）",
                                  error_messages={"invalid_choice": "请选择本级的成员单位"})

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units_of(region)
