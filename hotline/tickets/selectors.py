"""Reads of tickets, always scoped to the viewer (a view cannot forget the scope), and the one
definition of each rule that reads tickets: who may see one, "overdue", "in this area".

Who may see a ticket: ``tickets_visible_to`` (and ``can_see_requester`` for the requester's name
and phone); the roles behind them are declared in ``hotline.orgs.permissions``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from hotline.orgs import areas
from hotline.orgs.models import Staff
from hotline.orgs.permissions import Perm, has_perm, staff_of

from .models import HANDLING, Assignment, DeadlineState, Status, Ticket

if TYPE_CHECKING:
    from hotline.orgs.permissions import User


def overdue(now: dt.datetime) -> Q:
    """超期, the one definition: the ticket is in a unit's hands and its resolution deadline has
    passed. Computed from the stored due time as of ``now``, never from the deadline state the
    worker's scan caches, so the pool, the inbox, the dashboard and the reports agree at any
    moment. ``deadlines.refresh_states`` gives a row's ``resolve_state`` by the same rule.
    Sign-off and contact deadlines that passed are "late", not overdue (``late_to_sign``,
    ``late_to_contact``)."""
    return Q(status__in=HANDLING, resolve_due__lt=now)


def deadline_near(now: dt.datetime) -> Q:
    """Yellow (when not overdue): a deadline near its end, by the state the worker's scan keeps (at
    most one scan interval behind), or a sign-off or contact deadline already missed. The pool's
    yellow and the unit manager's team page both read it."""
    near = (
        Q(resolve_state=DeadlineState.WARNING)
        | Q(sign_state=DeadlineState.WARNING)
        | Q(contact_state=DeadlineState.WARNING)
    )
    return near | late_to_sign(now) | late_to_contact(now)


def late_to_sign(now: dt.datetime) -> Q:
    """签收超时: in a unit's hands, not signed for, and the sign-off deadline has passed."""
    return Q(status__in=HANDLING, signed_at=None, sign_due__lt=now)


def late_to_contact(now: dt.datetime) -> Q:
    """响应超时: in a unit's hands, the citizen not contacted, and the contact deadline has passed."""
    return Q(status__in=HANDLING, contacted_at=None, contact_due__lt=now)


def late_to_dispatch(now: dt.datetime) -> Q:
    """派单超时: still waiting for its first dispatch and the dispatch deadline has passed (the
    centre's lateness, not a unit's: never part of "overdue")."""
    return Q(status=Status.REGISTERED, dispatch_due__lt=now)


def late_to_respond(now: dt.datetime) -> Q:
    """首次响应超时: an online request still waiting for any answer after its response deadline."""
    return Q(status=Status.REGISTERED, respond_due__lt=now)


def in_area(region_code: str) -> Q:
    """Tickets placed in the region ``region_code`` or anywhere inside it (a district's townships
    and communities)."""
    return areas.within("region__code", region_code)


def tickets_visible_to(viewer: User) -> QuerySet[Ticket]:
    """Every ticket for the centre's staff; the tickets placed in a district for its overseers; a
    unit's own (led or co-handled) tickets for unit staff; nothing for anyone else."""
    if has_perm(viewer, Perm.SEE_ALL_TICKETS):
        return Ticket.objects.all()
    staff = staff_of(viewer)
    if staff is None:
        return Ticket.objects.none()
    if staff.role == Staff.Role.DISTRICT:
        # A district's or county's office oversees every ticket placed in it.
        return Ticket.objects.filter(in_area(staff.unit.region_id))
    # IN (the unit's tasks) rather than a join: one row per ticket, so counts and pages stay right.
    # Not EXISTS: SQLite ran a correlated EXISTS once per ticket of the whole table (a unit's
    # search over the demo month: 300 ms); the IN list is read once from the task index (20 ms).
    # A task the unit returned, or that the centre withdrew when it sent the ticket elsewhere,
    # gives no more reading: the ticket, its replies and files belong to the units now on it (M3
    # of 2026-11-30).
    tasks = (
        Assignment.objects.filter(unit=staff.unit)
        .exclude(state__in=(Assignment.State.RETURNED, Assignment.State.WITHDRAWN))
        .values("ticket")
    )
    return Ticket.objects.filter(Q(lead_unit=staff.unit) | Q(pk__in=tasks))


def can_see_requester(viewer: User, ticket: Ticket) -> bool:
    """The centre's operators, dispatchers and supervisors see who called; the lead unit sees the
    requester once it signed, never for a confidential tip; everyone else sees them masked."""
    if has_perm(viewer, Perm.SEE_ALL_TICKETS):
        return has_perm(viewer, Perm.SEE_REQUESTER)
    staff = staff_of(viewer)
    if ticket.confidential or staff is None or staff.role == Staff.Role.DISTRICT:
        return False
    return ticket.lead_unit_id == staff.unit_id and ticket.signed_at is not None


def requester_visible(viewer: User) -> Q:
    """The tickets whose requester ``viewer`` sees unmasked, as a filter: ``can_see_requester`` for
    a whole query. A search by phone is limited to these, so a masked number (137****8139) cannot be
    completed one digit at a time by searching for its tail (H1)."""
    if has_perm(viewer, Perm.SEE_ALL_TICKETS):
        return Q() if has_perm(viewer, Perm.SEE_REQUESTER) else Q(pk__in=[])
    staff = staff_of(viewer)
    if staff is None or staff.role == Staff.Role.DISTRICT:
        return Q(pk__in=[])
    return Q(lead_unit=staff.unit, signed_at__isnull=False, confidential=False)


def mask_phone(phone: str, *, confidential: bool = False) -> str:
    if confidential or len(phone) < 8:
        return "****"
    return f"{phone[:3]}****{phone[-4:]}"
