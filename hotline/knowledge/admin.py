from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

from .models import Article

if TYPE_CHECKING:
    from django.http import HttpRequest


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "matter", "is_active", "cited", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["title", "keywords", "answer"]
    autocomplete_fields = ["matter"]
    readonly_fields = ["cited", "updated_by"]

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        assert request.user.is_authenticated  # the admin lets only signed-in staff in
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
