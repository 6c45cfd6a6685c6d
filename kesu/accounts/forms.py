"""The sign-in form, throttled per user name and IP address (kesu/accounts/throttle.py)."""

from django import forms
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
