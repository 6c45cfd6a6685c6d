"""Audit events in the admin: listed and read, never added, changed or deleted (also not in bulk)."""

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_repr", "source")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor__username", "reason")
    date_hierarchy = "at"
    actions = None  # no "delete selected"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
