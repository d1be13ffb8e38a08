"""Reads of tickets, always scoped to the viewer: a view cannot forget the scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hotline.orgs.models import Staff, Unit

from .models import Ticket

CENTRE_ROLES = {Staff.Role.OPERATOR, Staff.Role.DISPATCHER, Staff.Role.SUPERVISOR, Staff.Role.LEADER, Staff.Role.ADMIN}


def tickets_visible_to(viewer) -> QuerySet[Ticket]:
    """Every ticket for the centre's staff; a unit's own (led or co-handled) tickets for unit staff;
    nothing for anyone else."""
    if viewer is None or not viewer.is_authenticated:
        return Ticket.objects.none()
    staff = getattr(viewer, "staff", None)
    if viewer.is_superuser or (
        staff is not None and staff.role in CENTRE_ROLES and staff.unit.kind == Unit.Kind.CENTRE
    ):
        return Ticket.objects.all()
    if staff is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(Q(lead_unit=staff.unit) | Q(assignments__unit=staff.unit)).distinct()


# The centre's roles that need to reach the citizen; leaders read figures, not phone numbers.
PERSONAL_DATA_ROLES = {Staff.Role.OPERATOR, Staff.Role.DISPATCHER, Staff.Role.SUPERVISOR, Staff.Role.ADMIN}


def can_see_requester(viewer, ticket: Ticket) -> bool:
    """The centre's operators, dispatchers and supervisors see who called; a unit sees the phone only
    once it signed, and never for a confidential tip; everyone else sees it masked."""
    staff = getattr(viewer, "staff", None)
    if viewer.is_superuser or (staff is not None and staff.role in PERSONAL_DATA_ROLES):
        return True
    if staff is not None and staff.role in CENTRE_ROLES:
        return False
    if ticket.confidential or staff is None:
        return False
    return ticket.lead_unit_id == staff.unit_id and ticket.signed_at is not None


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"
