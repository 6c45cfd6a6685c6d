from django.contrib import admin

from .models import ExtractedFact, SourceDocument


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ("id", "original_name", "region", "kind", "status", "duplicate_of", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("original_name", "sha256")
    raw_id_fields = ("region", "uploaded_by", "duplicate_of")
    readonly_fields = ("sha256", "size", "text", "cleaned_text", "kept_ranges", "parts", "sections", "differences")


@admin.register(ExtractedFact)
class ExtractedFactAdmin(admin.ModelAdmin):
    list_display = ("id", "document", "text", "value", "unit", "indicator", "confidence", "suspicious", "status")
    list_filter = ("status", "suspicious")
    search_fields = ("text", "subject")
    raw_id_fields = ("document", "indicator", "accepted_value", "reviewed_by")
