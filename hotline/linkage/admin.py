"""The lists of matters each way and the agencies are data the centre edits; transfers are read."""

from django.contrib import admin

from hotline.readonly import ReadOnlyAdmin

from .models import Agency, LinkageMatter, Transfer


class MatterInline(admin.TabularInline):
    model = LinkageMatter
    extra = 1


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "place", "channel", "receipt_minutes", "feedback_hours", "is_active"]
    list_filter = ["kind", "is_active"]
    inlines = [MatterInline]


@admin.register(LinkageMatter)
class LinkageMatterAdmin(admin.ModelAdmin):
    list_display = ["agency", "direction", "category", "name", "is_active", "sort"]
    list_filter = ["agency", "direction", "is_active"]
    search_fields = ["category", "name"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "agency", "direction", "their_ref", "sent_at", "due_at", "received_at", "feedback_at"]
    list_filter = ["agency", "direction"]
    raw_id_fields = ["ticket"]
