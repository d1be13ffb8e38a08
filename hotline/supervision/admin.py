"""Supervision rows in the admin, for reading: the jobs and services are their only writers."""

from django.contrib import admin

from hotline.readonly import ReadOnlyAdmin

from .models import Accountability, SpotCheck, SupervisionOrder


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "unit", "level", "due", "issued_at"]
    list_filter = ["level"]
    raw_id_fields = ["ticket"]


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyAdmin):
    list_display = ["batch", "ticket", "unit", "risk", "by_risk", "finding", "checked_at"]
    list_filter = ["batch", "finding", "by_risk"]
    raw_id_fields = ["ticket"]


@admin.register(Accountability)
class AccountabilityAdmin(ReadOnlyAdmin):
    list_display = ["unit", "kind", "ticket", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["ticket"]
