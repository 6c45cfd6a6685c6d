from django.contrib import admin

from . import models


@admin.register(models.DataSet)
class DataSetAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "period_type", "due_days", "close_days", "is_active"]
    filter_horizontal = ["indicators", "units"]
    raw_id_fields = ["region"]


@admin.register(models.ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "expression", "severity", "region", "is_active"]
    list_filter = ["kind", "severity", "is_active"]
    raw_id_fields = ["region", "indicator"]
    # Rules are written through services so their expressions are checked; the admin only switches them on/off.
    readonly_fields = ["code", "kind", "expression", "indicator", "threshold_pct", "codes", "region"]


@admin.register(models.OutlierRule)
class OutlierRuleAdmin(admin.ModelAdmin):
    list_display = ["indicator", "enabled", "jump_ratio", "min_diff", "modified_z", "z_score", "range_factor"]
    # Thresholds are set on the rules page, through the service that checks and audits them; here they are read.
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False


@admin.register(models.ActivityIndicatorRule)
class ActivityIndicatorRuleAdmin(admin.ModelAdmin):
    list_display = ["indicator", "kinds", "populations", "measure"]


@admin.register(models.Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["data_set", "period_id", "region", "unit", "status", "submitted_at"]
    list_filter = ["status", "period_id"]
    readonly_fields = [f.name for f in models.Submission._meta.fields]

    def has_add_permission(self, request):
        return False
