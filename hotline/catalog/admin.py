from django.contrib import admin

from .models import Matter


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = ["code", "path", "tier", "owner_level", "function", "is_active"]
    list_filter = ["level", "is_leaf", "tier", "owner_level", "function", "is_active"]
    search_fields = ["code", "name", "path", "keywords"]
    raw_id_fields = ["parent"]
