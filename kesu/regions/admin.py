from django.contrib import admin

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent", "is_builtin", "population_10k")
    list_filter = ("level", "is_builtin")
    search_fields = ("name", "code", "short_name")
    # Code, parent, path and depth make up the tree; they change only through the loader and the services
    # (region_create / region_move), which keep the materialized paths of the subtree right.
    readonly_fields = ("code", "parent", "level", "path", "depth", "is_builtin", "created_at", "updated_at")
    ordering = ("path",)
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
