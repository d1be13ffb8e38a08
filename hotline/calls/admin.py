from django.contrib import admin

from hotline.readonly import ReadOnlyAdmin

from .models import Call


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ["call_id", "caller", "operator", "state", "rang_at", "callback_due", "called_back_at", "ticket"]
    list_filter = ["state"]
    search_fields = ["call_id", "caller"]
    raw_id_fields = ["ticket"]
