"""Reads for a unit's inbox (办), scoped to the viewer: its tickets by view, and the counts in its
head. "Overdue" and the status groups are the ticket's own definitions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from hotline.orgs.permissions import unit_of
from hotline.tickets.models import AWAITING_SIGN, HANDLING, REPLIED_OR_CLOSED, Assignment, Extension, Status, Ticket
from hotline.tickets.selectors import overdue, tickets_visible_to

if TYPE_CHECKING:
    from hotline.orgs.permissions import User

INBOX_VIEWS = ("open", "co", "done")


def inbox(viewer: User, view: str = "open") -> QuerySet[Ticket]:
    """The tickets of one tab of the viewer's unit inbox: ``open`` (in the unit's hands as lead),
    ``co`` (an open co-handling task), ``done`` (replied or closed). An unknown view is ``open``."""
    unit = unit_of(viewer)
    tickets = tickets_visible_to(viewer)
    if unit is None:
        return tickets.none()
    if view == "co":
        co = Assignment.objects.filter(
            ticket=OuterRef("pk"), unit=unit, role=Assignment.Role.CO, state=Assignment.State.ACTIVE
        )
        return tickets.filter(Exists(co))
    if view == "done":
        return tickets.filter(lead_unit=unit, status__in=REPLIED_OR_CLOSED)
    return tickets.filter(lead_unit=unit, status__in=HANDLING)


def inbox_counts(viewer: User, *, now: dt.datetime | None = None) -> dict[str, int]:
    """To sign, in progress and overdue among the tickets the viewer's unit leads."""
    now = now or timezone.now()
    unit = unit_of(viewer)
    if unit is None:
        return {"to_sign": 0, "in_progress": 0, "overdue": 0}
    mine = tickets_visible_to(viewer).filter(lead_unit=unit)
    return {
        "to_sign": mine.filter(status__in=AWAITING_SIGN).count(),
        "in_progress": mine.filter(status=Status.IN_PROGRESS).count(),
        "overdue": mine.filter(overdue(now)).count(),
    }


def pending_extensions(viewer: User) -> QuerySet[Extension]:
    """Extension requests waiting for the centre, on tickets the viewer may see, oldest first."""
    return (
        Extension.objects.filter(state=Extension.State.PENDING, ticket__in=tickets_visible_to(viewer))
        .select_related("ticket", "unit", "ticket__matter")
        .order_by("requested_at")
    )


def long_cycle_ledger(viewer: User) -> QuerySet[Ticket]:
    """长周期台账: the long-running matters in a unit's hands that the viewer may see (the centre:
    all; a unit: its own), the progress update due soonest first."""
    return (
        tickets_visible_to(viewer)
        .filter(status__in=HANDLING, long_cycle_until__isnull=False)
        .order_by("progress_due", "long_cycle_until", "pk")
    )
