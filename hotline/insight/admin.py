from django.contrib import admin

from hotline.insight.models import Hotspot, Milestone, RectificationProject, SurgeWarning


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(RectificationProject)
class RectificationProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "lead_unit", "place", "measures_from", "state")
    list_filter = ("state",)
    raw_id_fields = ("tickets", "hotspot")
    inlines = [MilestoneInline]


@admin.register(Hotspot)
class HotspotAdmin(admin.ModelAdmin):
    list_display = ("rank", "title", "size", "requesters", "heat", "period_end")
    raw_id_fields = ("tickets",)


@admin.register(SurgeWarning)
class SurgeWarningAdmin(admin.ModelAdmin):
    list_display = ("region", "matter", "count", "baseline", "period_end", "state")
    list_filter = ("state",)
    raw_id_fields = ("tickets",)
