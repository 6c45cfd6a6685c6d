from django.contrib import admin

from .models import Questionnaire, SurveyRound


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("name", "region")


@admin.register(SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    list_display = ("title", "region", "year", "status", "rows", "kept")
    list_filter = ("status", "year")
