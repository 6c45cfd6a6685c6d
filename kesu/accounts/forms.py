"""The sign-in forms, throttled per user name and IP address (kesu/accounts/throttle.py).

The site's login and the admin's login share one count, so neither door lets a guesser past the other's lock."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from . import throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确。请注意密码区分大小写。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def clean(self):
        username = (self.data.get("username") or "").strip()
        ip = throttle.client_ip(self.request)
        if username and throttle.is_locked(username, ip):
            minutes = int(throttle.window().total_seconds() // 60)
            raise forms.ValidationError(f"登录失败次数过多，该账号已在本机暂时锁定，请 {minutes} 分钟后再试，"
                                        f"或联系系统管理员重置密码。", code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                throttle.record_failure(username, ip)
            raise
        throttle.clear(username, ip)
        return cleaned


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """The admin's sign-in: the same throttle, then the admin's own rule (系统管理员 only)."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确，或该账号不是系统管理员。请注意密码区分大小写。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }


class AccountForm(forms.Form):
    """An office's new account: the role, and the region or unit chosen from the lists its scope allows."""

    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，建议用拼音或单位简称，如 quxian_edu。")
    full_name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(label="电话", max_length=30, required=False)
    role = forms.ChoiceField(label="角色")
    region = forms.ModelChoiceField(label="所属区域", queryset=None, required=False,
                                    help_text="办公室、查看账号必填：可管理或查看该区域及其下级。")
    unit = forms.ModelChoiceField(label="所属单位", queryset=None, required=False, help_text="填报员必填：只能填报本单位的数据。")
    password = forms.CharField(label="初始密码", required=False, widget=forms.PasswordInput(render_value=False),
                               help_text="留空则自动生成一个随机密码，保存后显示一次，请转告使用人。")

    def __init__(self, *args, regions, units, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        top = min((r.depth for r in regions[:1]), default=0)
        self.fields["region"].queryset = regions
        # Indented by level, so a county's townships read as a tree in the list.
        self.fields["region"].label_from_instance = lambda r: "　" * max(r.depth - top, 0) + r.name
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.region.name} · {u.name}"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm" if isinstance(
                field, (forms.ChoiceField, forms.ModelChoiceField)) else "form-control form-control-sm"
