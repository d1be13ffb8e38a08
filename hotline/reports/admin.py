from django.contrib import admin

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The archive, read-only: files are written by the generator, never by hand."""

    list_display = ["kind", "period_start", "period_end", "format", "size", "generated_at"]
    list_filter = ["kind", "format"]
    date_hierarchy = "period_start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
