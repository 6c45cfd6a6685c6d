from django.contrib import admin

from .models import Assessment, Scheme


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "year", "subject")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("scheme", "unit", "region", "status", "total", "grade")
