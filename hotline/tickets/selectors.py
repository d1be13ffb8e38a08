"""Reads of tickets, always scoped to the viewer: a view cannot forget the scope."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from hotline.orgs.models import Staff, Unit

from .models import Assignment, Ticket

CENTRE_ROLES = {Staff.Role.OPERATOR, Staff.Role.DISPATCHER, Staff.Role.SUPERVISOR, Staff.Role.LEADER, Staff.Role.ADMIN}
# The centre's roles that need to reach the citizen; leaders read figures, not phone numbers.
PERSONAL_DATA_ROLES = {Staff.Role.OPERATOR, Staff.Role.DISPATCHER, Staff.Role.SUPERVISOR, Staff.Role.ADMIN}


def _centre_staff(viewer) -> Staff | None:
    """The viewer's staff row when they work at the hotline centre in a centre role, else None."""
    staff = getattr(viewer, "staff", None)
    if staff is not None and staff.role in CENTRE_ROLES and staff.unit.kind == Unit.Kind.CENTRE:
        return staff
    return None


def tickets_visible_to(viewer) -> QuerySet[Ticket]:
    """Every ticket for the centre's staff; the tickets placed in a district for its overseers; a
    unit's own (led or co-handled) tickets for unit staff; nothing for anyone else."""
    if viewer is None or not viewer.is_authenticated:
        return Ticket.objects.none()
    if viewer.is_superuser or _centre_staff(viewer) is not None:
        return Ticket.objects.all()
    staff = getattr(viewer, "staff", None)
    if staff is None:
        return Ticket.objects.none()
    if staff.role == Staff.Role.DISTRICT:
        # A district's or county's office oversees every ticket placed in it: region codes nest
        # (630102 → 630102001 → 630102001001), so a prefix is the subtree.
        return Ticket.objects.filter(region__code__startswith=staff.unit.region_id)
    # EXISTS rather than a join: one row per ticket, so counts and pages stay right.
    co_handled = Assignment.objects.filter(ticket=OuterRef("pk"), unit=staff.unit)
    return Ticket.objects.filter(Q(lead_unit=staff.unit) | Exists(co_handled))


def can_see_requester(viewer, ticket: Ticket) -> bool:
    """The centre's operators, dispatchers and supervisors see who called; the lead unit sees the
    requester once it signed, never for a confidential tip; everyone else sees them masked."""
    if viewer.is_superuser:
        return True
    centre = _centre_staff(viewer)
    if centre is not None:
        return centre.role in PERSONAL_DATA_ROLES
    staff = getattr(viewer, "staff", None)
    if ticket.confidential or staff is None or staff.role == Staff.Role.DISTRICT:
        return False
    return ticket.lead_unit_id == staff.unit_id and ticket.signed_at is not None


def mask_phone(phone: str, *, confidential: bool = False) -> str:
    if confidential or len(phone) < 8:
        return "****"
    return f"{phone[:3]}****{phone[-4:]}"
