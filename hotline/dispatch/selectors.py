"""Reads for dispatch: the dispatcher's queue, and dispatch performance (一派到位率)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from hotline.tickets.models import AWAITING_DISPATCH, Assignment, Status, Ticket, Urgency
from hotline.tickets.selectors import tickets_visible_to

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from hotline.orgs.permissions import User


# The queue's order: the most urgent first (特急, 紧急, 一般), then the dispatch due soonest.
QUEUE_ORDER = ("urgency_rank", "dispatch_due", "received_at", "pk")


def urgency_rank() -> Case:
    """0 for an emergency, 1 urgent, 2 normal: urgency as a number that sorts (the stored words
    sort alphabetically, which put 特急 last)."""
    return Case(
        When(urgency=Urgency.EMERGENCY, then=Value(0)),
        When(urgency=Urgency.URGENT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def queue(viewer: User, status: str = "") -> QuerySet[Ticket]:
    """Tickets waiting for the centre: registered (新登记) and returned (退单), or one of them,
    annotated with ``urgency_rank`` and in ``QUEUE_ORDER``."""
    tickets = tickets_visible_to(viewer).filter(status__in=AWAITING_DISPATCH).annotate(urgency_rank=urgency_rank())
    tickets = tickets.filter(status=status) if status in AWAITING_DISPATCH else tickets
    return tickets.order_by(*QUEUE_ORDER)


def queue_counts(viewer: User) -> dict[str, int]:
    waiting = dict(queue(viewer).values_list("status").annotate(n=Count("id")).order_by())
    return {"registered": waiting.get(Status.REGISTERED, 0), "returned": waiting.get(Status.RETURNED, 0)}


@dataclass(frozen=True)
class Rate:
    dispatched: int  # tickets first dispatched in the period
    first_time_right: int  # of those, tickets the first unit kept (dispatched once)

    @property
    def rate(self) -> float | None:
        return self.first_time_right / self.dispatched if self.dispatched else None


class _FirstDispatch(TypedDict):
    first_unit: int
    first_at: dt.datetime


def _first_dispatches(start: dt.datetime, end: dt.datetime) -> QuerySet[WithAnnotations[Ticket, _FirstDispatch]]:
    first = Assignment.objects.filter(ticket=OuterRef("pk"), role=Assignment.Role.LEAD).order_by("id")
    return (
        Ticket.objects.filter(dispatch_count__gte=1)
        .annotate(
            first_unit=Subquery(first.values("unit_id")[:1]),
            first_at=Subquery(first.values("dispatched_at")[:1]),
        )
        .filter(first_at__gte=start, first_at__lt=end)
    )


def first_time_right(start: dt.datetime, end: dt.datetime) -> Rate:
    """一派到位率 over tickets first dispatched in [start, end): the share never returned and
    re-dispatched (a refused return keeps the unit, so it still counts as right)."""
    row = _first_dispatches(start, end).aggregate(n=Count("pk"), right=Count("pk", filter=Q(dispatch_count=1)))
    return Rate(row["n"], row["right"])


def first_time_right_by_unit(start: dt.datetime, end: dt.datetime) -> dict[int, Rate]:
    """The same rate per first-receiving unit (unit id -> rate)."""
    rows = (
        _first_dispatches(start, end)
        .values("first_unit")
        .annotate(n=Count("pk"), right=Count("pk", filter=Q(dispatch_count=1)))
        .order_by()
    )
    return {r["first_unit"]: Rate(r["n"], r["right"]) for r in rows}
