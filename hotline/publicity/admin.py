from django.contrib import admin

from .models import TypicalCase
from .services import publish_case


@admin.register(TypicalCase)
class TypicalCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "published", "published_at"]
    list_filter = ["published"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["ticket"]
    autocomplete_fields = ["matter"]

    def save_model(self, request, obj, form, change):
        publish_case(obj, published=obj.published)
