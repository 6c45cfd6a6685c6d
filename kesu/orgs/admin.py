from django.contrib import admin

from .models import BodyPost, ContactPerson, CoordinationBody, Unit


class ContactInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "region", "kind", "valid_from", "valid_to", "successor")
    list_filter = ("kind", ("valid_to", admin.EmptyFieldListFilter))
    search_fields = ("name", "short_name", "region__name", "region__code")
    raw_id_fields = ("region", "successor")
    inlines = [ContactInline]
    list_select_related = ("region", "successor")


@admin.register(ContactPerson)
class ContactPersonAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "title", "phone", "is_liaison")
    list_filter = ("is_liaison",)
    search_fields = ("name", "unit__name", "phone")
    raw_id_fields = ("unit",)
    list_select_related = ("unit",)


class PostInline(admin.TabularInline):
    model = BodyPost
    extra = 0
    raw_id_fields = ("unit",)


@admin.register(CoordinationBody)
class CoordinationBodyAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "kind", "office_unit")
    list_filter = ("kind",)
    search_fields = ("name", "region__name")
    raw_id_fields = ("region", "office_unit")
    filter_horizontal = ("members",)
    inlines = [PostInline]
    list_select_related = ("region", "office_unit")


@admin.register(BodyPost)
class BodyPostAdmin(admin.ModelAdmin):
    list_display = ("person_name", "post", "person_title", "unit", "body")
    list_filter = ("post",)
    search_fields = ("person_name", "unit__name", "body__name")
    raw_id_fields = ("body", "unit")
