"""Supervision rows in the admin, for reading: the jobs and services are their only writers."""

from django.contrib import admin

from hotline.readonly import ReadOnlyAdmin

from .models import Accountability, Appeal, QaCriterion, QaReview, SpotCheck, SupervisionOrder


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


@admin.register(QaCriterion)
class QaCriterionAdmin(admin.ModelAdmin):
    """The quality rubric is the centre's to edit: its lines, points and pre-checks."""

    list_display = ["text", "points", "auto_check", "active", "sort"]
    list_editable = ["points", "active", "sort"]


@admin.register(QaReview)
class QaReviewAdmin(ReadOnlyAdmin):
    list_display = ["month", "operator", "ticket", "score", "reviewed_at"]
    list_filter = ["month"]
    raw_id_fields = ["ticket"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "unit", "kind", "state", "filed_at", "decided_at"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["ticket"]
