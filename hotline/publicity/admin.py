from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

from .models import TypicalCase
from .services import publish_case

if TYPE_CHECKING:
    from django.http import HttpRequest


@admin.register(TypicalCase)
class TypicalCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "published", "published_at"]
    list_filter = ["published"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["ticket"]
    autocomplete_fields = ["matter"]

    def save_model(self, request: HttpRequest, obj: TypicalCase, form: Any, change: bool) -> None:
        publish_case(obj, published=obj.published)
