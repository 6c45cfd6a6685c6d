from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class KesuUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("科素", {"fields": ("full_name", "role", "region", "unit", "phone")}),)
    list_display = ("username", "full_name", "role", "region", "unit", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("region", "unit")
