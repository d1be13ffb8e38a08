from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

from hotline.knowledge.services import record_version

from hotline.readonly import ReadOnlyAdmin

from .models import Article, ArticleVersion, Proposal

if TYPE_CHECKING:
    from django.http import HttpRequest


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "matter", "owner", "valid_until", "version", "is_active", "cited", "updated_at"]
    list_filter = ["is_active", "owner"]
    search_fields = ["title", "keywords", "answer"]
    autocomplete_fields = ["matter"]
    readonly_fields = ["cited", "updated_by"]

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        assert request.user.is_authenticated  # the admin lets only signed-in staff in
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        record_version(obj, actor=request.user, note="admin")


@admin.register(ArticleVersion)
class ArticleVersionAdmin(ReadOnlyAdmin):
    """An article's history: every published state, oldest first."""

    list_display = ["article", "version", "title", "valid_until", "saved_by", "saved_at"]
    list_filter = ["article"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "article", "state", "proposed_at", "reviewed_at"]
    list_filter = ["state", "unit"]
