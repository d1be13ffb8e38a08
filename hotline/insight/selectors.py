"""Reads for the insight pages, scoped to the viewer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from hotline.insight.models import Hotspot, RectificationProject, SurgeWarning
from hotline.orgs.permissions import Perm, has_perm, staff_of

if TYPE_CHECKING:
    from hotline.orgs.permissions import User


def can_view_insight(viewer: User) -> bool:
    """The centre's staff (leaders included) see hot issues, warnings and every project."""
    return has_perm(viewer, Perm.READ_INSIGHT)


def can_manage_insight(viewer: User) -> bool:
    """Who may turn a hot issue into a project and acknowledge warnings (督办 and the administrators)."""
    return has_perm(viewer, Perm.MANAGE_INSIGHT)


def can_update_project(viewer: User, project: RectificationProject) -> bool:
    """Supervisors and administrators, and the staff of the project's lead unit."""
    if can_manage_insight(viewer):
        return True
    staff = staff_of(viewer)
    return staff is not None and staff.unit_id == project.lead_unit_id


def latest_hotspots(viewer: User) -> QuerySet[Hotspot]:
    """The hot issues of the most recent analysis run, hottest first."""
    if not can_view_insight(viewer):
        return Hotspot.objects.none()
    last = Hotspot.objects.order_by("-computed_at").values_list("period_end", flat=True).first()
    return Hotspot.objects.filter(period_end=last).order_by("rank") if last else Hotspot.objects.none()


def hotspots_visible_to(viewer: User) -> QuerySet[Hotspot]:
    return Hotspot.objects.all() if can_view_insight(viewer) else Hotspot.objects.none()


def warnings_visible_to(viewer: User) -> QuerySet[SurgeWarning]:
    if not can_view_insight(viewer):
        return SurgeWarning.objects.none()
    return SurgeWarning.objects.select_related("matter", "region")


def projects_visible_to(viewer: User) -> QuerySet[RectificationProject]:
    """Every project for the centre; a unit's staff see the projects their unit leads."""
    qs = RectificationProject.objects.select_related("lead_unit", "region")
    if can_view_insight(viewer):
        return qs
    staff = staff_of(viewer)
    return qs.filter(lead_unit=staff.unit) if staff is not None else qs.none()
