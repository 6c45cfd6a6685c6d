from django import forms

from .models import Region


class BootstrapForm(forms.Form):
    """Gives every widget its Bootstrap class and marks invalid fields, so templates stay plain."""

    id_prefix = "id"  # several forms share one page: each gets its own element ids

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            self._mark_invalid(name)

    def add_error(self, field, error):
        super().add_error(field, error)
        if field:
            self._mark_invalid(field)

    def _mark_invalid(self, name):
        if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs.get("class", ""):
            self.fields[name].widget.attrs["class"] += " is-invalid"


class RegionChildForm(BootstrapForm):
    id_prefix = "add"
    name = forms.CharField(label="名称", max_length=Region._meta.get_field("name").max_length,
                           error_messages={"required": "请填写名称"})
    code = forms.CharField(label="统计用区划代码（可选）", required=False, max_length=12,
                           help_text="12 位数字；不填则由系统生成本地代码",
                           error_messages={"max_length": "统计用区划代码应为 12 位数字"})
    short_name = forms.CharField(label="简称（可选）", required=False,
                                 max_length=Region._meta.get_field("short_name").max_length)


class RegionImportForm(BootstrapForm):
    id_prefix = "import"
    file = forms.FileField(label="Excel 文件（.xlsx）", error_messages={"required": "请选择要上传的 Excel 文件"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
            raise forms.ValidationError("请上传 Excel 文件（.xlsx）")
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("文件过大（不超过 5 MB）")
        return upload


class RegionEditForm(BootstrapForm):
    id_prefix = "edit"
    name = forms.CharField(label="名称", max_length=Region._meta.get_field("name").max_length,
                           error_messages={"required": "请填写名称"})
    short_name = forms.CharField(label="简称", required=False,
                                 max_length=Region._meta.get_field("short_name").max_length)
    population_10k = forms.DecimalField(label="常住人口（万人）", required=False, min_value=0, max_digits=10,
                                        decimal_places=2,
                                        error_messages={"invalid": "请输入数字", "min_value": "不能为负数"})
