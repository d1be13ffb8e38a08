from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from .models import Report

if TYPE_CHECKING:
    from django.http import HttpRequest


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The archive, read-only: files are written by the generator, never by hand."""

    list_display = ["kind", "period_start", "period_end", "format", "size", "generated_at"]
    list_filter = ["kind", "format"]
    date_hierarchy = "period_start"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return False
