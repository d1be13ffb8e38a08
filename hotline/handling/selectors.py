"""Reads for a unit's inbox (办), scoped to the viewer: its tickets by view, and the counts in its
head. "Overdue" and the status groups are the ticket's own definitions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from hotline.orgs.models import Staff
from hotline.orgs.permissions import unit_of
from hotline.tickets.models import AWAITING_SIGN, HANDLING, REPLIED_OR_CLOSED, Assignment, Extension, Status, Ticket
from hotline.tickets.selectors import deadline_near, overdue, tickets_visible_to

from .models import ReplyDraft

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor, User

INBOX_VIEWS = ("open", "mine", "co", "done")


def inbox(viewer: User, view: str = "open") -> QuerySet[Ticket]:
    """The tickets of one tab of the viewer's unit inbox: ``open`` (in the unit's hands as lead),
    ``mine`` (of those, the ones the unit manager gave the viewer), ``co`` (an open co-handling
    task), ``done`` (replied or closed). An unknown view is ``open``."""
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
    if view == "mine":
        mine = Assignment.objects.filter(
            ticket=OuterRef("pk"),
            unit=unit,
            role=Assignment.Role.LEAD,
            state=Assignment.State.ACTIVE,
            handler_id=viewer.pk,
        )
        return tickets.filter(Exists(mine), lead_unit=unit, status__in=HANDLING)
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


@dataclass
class Member:
    """One person's load in the unit manager's team page (``handler`` None: not yet given to anyone)."""

    handler: Actor | None
    role: str
    open: int = 0
    red: int = 0
    yellow: int = 0
    due_this_week: int = 0
    drafts: int = 0


def team(viewer: User, *, now: dt.datetime | None = None) -> list[Member]:
    """The unit manager's team: every handler and manager of the viewer's unit with the tickets the
    unit leads that are theirs now (open, red = overdue, yellow = a deadline near, due by the end of
    this week), and a first row for the open tickets given to nobody yet. One grouped query."""
    now = now or timezone.now()
    unit = unit_of(viewer)
    if unit is None:
        return []
    local = timezone.localtime(now)
    week_end = (local - dt.timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    week_end += dt.timedelta(days=7)
    lead_task = Assignment.objects.filter(
        ticket=OuterRef("pk"), unit=unit, role=Assignment.Role.LEAD, state=Assignment.State.ACTIVE
    ).order_by("-id")
    late = overdue(now)
    rows = (
        tickets_visible_to(viewer)
        .filter(lead_unit=unit, status__in=HANDLING)
        .annotate(handler=Subquery(lead_task.values("handler")[:1]))
        .values("handler")
        .annotate(
            n=Count("id"),
            red=Count("id", filter=late),
            yellow=Count("id", filter=~late & deadline_near(now)),
            week=Count("id", filter=Q(resolve_due__gte=now, resolve_due__lt=week_end)),
        )
        .order_by()
    )
    load = {r["handler"]: r for r in rows}
    drafts = dict(
        ReplyDraft.objects.filter(unit=unit, state=ReplyDraft.State.PENDING)
        .values_list("author")
        .annotate(n=Count("id"))
        .order_by()
    )
    people = (
        Staff.objects.filter(unit=unit, role__in=(Staff.Role.HANDLER, Staff.Role.UNIT_MANAGER))
        .select_related("user")
        .order_by("role", "user__username")
    )

    def member(handler: Actor | None, role: str) -> Member:
        r = load.get(handler.pk if handler is not None else None, {})
        return Member(
            handler,
            role,
            r.get("n", 0),
            r.get("red", 0),
            r.get("yellow", 0),
            r.get("week", 0),
            drafts.get(handler.pk, 0) if handler is not None else 0,
        )

    return [member(None, ""), *(member(s.user, s.role) for s in people)]


def drafts_to_review(viewer: User) -> QuerySet[ReplyDraft]:
    """Replies of the viewer's unit waiting for the manager, oldest first."""
    unit = unit_of(viewer)
    if unit is None:
        return ReplyDraft.objects.none()
    return (
        ReplyDraft.objects.filter(unit=unit, state=ReplyDraft.State.PENDING, ticket__in=tickets_visible_to(viewer))
        .select_related("ticket", "author")
        .order_by("written_at")
    )
