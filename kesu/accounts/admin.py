"""The system administrator's view of users. Roles decide what a user may do (kesu/accounts/scope.py), so the admin
shows the role and its region or unit, not Django's groups and per-model permissions, which kesu does not use.
Offices manage their own accounts in the site (账号管理)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from .models import LoginFailure, User

admin.site.unregister(Group)


@admin.register(User)
class KesuUserAdmin(UserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "phone", "email")}),
        ("角色与范围", {"fields": ("role", "region", "unit", "is_active")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        ("角色与范围", {"fields": ("full_name", "role", "region", "unit")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "full_name", "role", "region", "unit", "last_login", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "unit__name", "region__name")
    autocomplete_fields = ("region", "unit")

    def save_model(self, request, obj, form, change):
        # Only the administrator role reaches this admin: the flags follow a change of role (an account made by
        # `kesu createsuperuser` keeps its flags until its role is changed here).
        if obj.role == "admin":
            obj.is_staff = obj.is_superuser = True
        elif "role" in form.changed_data:
            obj.is_staff = obj.is_superuser = False
        super().save_model(request, obj, form, change)


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ("username", "ip", "at")
    search_fields = ("username", "ip")
    readonly_fields = ("username", "ip", "at")
