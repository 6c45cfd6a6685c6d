from django.contrib import admin

from .models import Framework, FrameworkItem, Indicator, Meeting, Plan, PolicyDocument, Target, Task, TaskUnit


class FrameworkItemInline(admin.TabularInline):
    model = FrameworkItem
    fields = ["code", "name", "kind", "parent", "population", "unverified", "leads_unverified", "sort"]
    extra = 0
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "doc_no", "start_year", "end_year", "region", "based_on"]
    list_filter = ["region__level"]
    search_fields = ["name", "code", "doc_no"]
    raw_id_fields = ["region"]
    inlines = [FrameworkItemInline]


@admin.register(FrameworkItem)
class FrameworkItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "framework", "population", "unverified", "leads_unverified"]
    list_filter = ["framework", "kind", "unverified"]
    search_fields = ["code", "name"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "unit", "region_aggregation", "time_aggregation", "population",
                    "region"]
    list_filter = ["category", "region_aggregation", "time_aggregation"]
    search_fields = ["code", "name"]
    raw_id_fields = ["region"]


class TaskUnitInline(admin.TabularInline):
    model = TaskUnit
    extra = 0
    raw_id_fields = ["unit"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "plan", "item", "due_period", "all_members_responsible"]
    list_filter = ["plan"]
    search_fields = ["title"]
    filter_horizontal = ["indicators"]
    inlines = [TaskUnitInline]


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["number", "title", "item", "due_period"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "kind", "start_year", "end_year", "framework"]
    list_filter = ["kind", "framework"]
    search_fields = ["title", "region__name"]
    raw_id_fields = ["region", "parent", "document"]
    inlines = [TaskInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["plan", "indicator", "region", "year", "value"]
    list_filter = ["year", "plan"]
    raw_id_fields = ["plan", "indicator", "region"]


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = ["doc_no", "title", "issuer", "issued_on", "region"]
    search_fields = ["doc_no", "title"]
    raw_id_fields = ["region"]
    filter_horizontal = ["tasks"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "held_on", "region"]
    search_fields = ["title"]
    raw_id_fields = ["region"]
    filter_horizontal = ["tasks"]
