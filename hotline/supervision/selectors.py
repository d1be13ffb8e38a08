"""Reads for the supervision pool (督办池), always scoped to the viewer.

The web UI calls ``pool`` for the list, ``pool_counts`` for the red/yellow/green tally,
``escalations`` for a ticket's orders, ``spot_checks`` and ``accountability`` for findings.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Case, Count, IntegerField, Max, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.linkage import selectors as linkage
from hotline.linkage.models import Transfer
from hotline.orgs.permissions import Perm, has_perm, staff_of
from hotline.tickets.models import AWAITING_DISPATCH, IN_POOL, DeadlineState, Status, Ticket
from hotline.tickets.selectors import (
    deadline_near,
    in_area,
    late_to_dispatch,
    late_to_respond,
    overdue,
    tickets_visible_to,
)

from .models import Accountability, OrderLevel, SpotCheck, SupervisionOrder

if TYPE_CHECKING:
    from hotline.orgs.permissions import User

_M = TypeVar("_M", bound=Model)

COLOURS = {
    "red": _("overdue"),
    "yellow": _("deadline near, or late to dispatch, sign or contact"),
    "green": _("on time"),
}
FILTERS = ("colour", "unit", "district", "level", "code")


def red(now: dt.datetime) -> Q:
    """Red: overdue, by the one definition (``tickets.selectors.overdue``)."""
    return overdue(now)


def yellow(now: dt.datetime) -> Q:
    """Yellow (when not red): a deadline near, by the one definition
    (``tickets.selectors.deadline_near``), or the centre's own dispatch or first-response clock
    near its end or missed (``centre_late``)."""
    return deadline_near(now) | centre_late(now)


def centre_late(now: dt.datetime) -> Q:
    """A registered ticket whose dispatch or first response is near its deadline or past it: the
    centre's own clocks, in the pool beside the units' (registered tickets on time stay in the
    dispatcher's queue only)."""
    near = Q(status=Status.REGISTERED) & (
        Q(dispatch_state=DeadlineState.WARNING) | Q(respond_state=DeadlineState.WARNING)
    )
    return near | late_to_dispatch(now) | late_to_respond(now)


def _colour_rank(now: dt.datetime) -> Case:
    # 0 red, 1 yellow, 2 green: sorts the pool worst first.
    return Case(
        When(red(now), then=Value(0)),
        When(yellow(now), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def pool(user: User, filters: dict | None = None, *, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """Tickets out with a unit or back from one, and registered ones late or near late to be
    dispatched or answered (``centre_late``), that the viewer may see, worst first, each annotated
    with:

    ``colour_rank`` (0 red = overdue, 1 yellow = a deadline near, or sign-off or contact late, 2
    green), ``escalation`` (the highest order rank issued, 0 none; see ``OrderLevel``/``LEVEL_RANK``)
    and ``order_count``. ``filters`` (all optional): ``colour`` red|yellow|green, ``unit`` (unit
    id), ``district`` (region code), ``level`` (an ``OrderLevel`` value: tickets with such an
    order), ``code`` (part of the ticket code). Unknown keys or values raise ``ValueError``.
    """
    now = now or timezone.now()
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"unknown pool filters: {sorted(unknown)}")
    orders = SupervisionOrder.objects.filter(ticket=OuterRef("pk")).order_by().values("ticket")
    qs = (
        tickets_visible_to(user)
        .filter(Q(status__in=IN_POOL) | centre_late(now))
        .annotate(
            colour_rank=_colour_rank(now),
            escalation=Coalesce(Subquery(orders.annotate(m=Max("rank")).values("m")[:1]), 0),
            order_count=Coalesce(Subquery(orders.annotate(c=Count("id")).values("c")[:1]), 0),
        )
        .select_related("lead_unit", "matter", "region")
    )
    colour = filters.get("colour")
    if colour is not None:
        if colour not in COLOURS:
            raise ValueError(f"colour must be one of {sorted(COLOURS)}")
        qs = qs.filter(colour_rank={"red": 0, "yellow": 1, "green": 2}[colour])
    if "unit" in filters:
        qs = qs.filter(lead_unit_id=int(filters["unit"]))
    if "district" in filters:
        qs = qs.filter(in_area(str(filters["district"])))
    if "level" in filters:
        if filters["level"] not in OrderLevel.values:
            raise ValueError(f"level must be one of {OrderLevel.values}")
        qs = qs.filter(supervision_orders__level=filters["level"]).distinct()
    if "code" in filters:
        qs = qs.filter(code__icontains=str(filters["code"])[:24])
    return qs.order_by("colour_rank", "resolve_due", "pk")


def pool_counts(user: User, filters: dict | None = None, *, now: dt.datetime | None = None) -> dict[str, int]:
    """How many pool tickets are red, yellow and green (and in all), under the same filters; and,
    beside the pool, how many wait for the centre to dispatch and for a revisit."""
    filters = {k: v for k, v in (filters or {}).items() if k != "colour"}
    agg = (
        pool(user, filters, now=now)
        .order_by()
        .aggregate(
            red=Count("pk", filter=Q(colour_rank=0)),
            yellow=Count("pk", filter=Q(colour_rank=1)),
            total=Count("pk"),
        )
    )
    agg["green"] = agg["total"] - agg["red"] - agg["yellow"]
    waiting = dict(
        tickets_visible_to(user)
        .filter(status__in=(*AWAITING_DISPATCH, Status.REPLIED))
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    agg["waiting_dispatch"] = sum(waiting.get(status, 0) for status in AWAITING_DISPATCH)
    agg["waiting_revisit"] = waiting.get(Status.REPLIED, 0)
    return agg


def escalations(ticket: Ticket) -> QuerySet[SupervisionOrder]:
    """The ticket's supervision orders, oldest first."""
    return SupervisionOrder.objects.filter(ticket=ticket).select_related("unit").order_by("issued_at", "rank")


def _scope(qs: QuerySet[_M], user: User) -> QuerySet[_M]:
    if has_perm(user, Perm.SEE_ALL_TICKETS):
        return qs
    staff = staff_of(user)
    return qs.filter(unit=staff.unit) if staff is not None else qs.none()


def spot_checks(user: User, *, batch: str | None = None, finding: str | None = None) -> QuerySet[SpotCheck]:
    """Spot checks the viewer may see (the centre: all; a unit: its own), riskiest first.
    ``finding=""`` lists those still to check."""
    qs = _scope(SpotCheck.objects.select_related("ticket", "unit", "checker"), user)
    if batch:
        qs = qs.filter(batch=batch)
    if finding is not None:
        qs = qs.filter(finding=finding)
    return qs.order_by("-drawn_at", "-risk", "pk")


def accountability(user: User) -> QuerySet[Accountability]:
    """Accountability records the viewer may see, newest first."""
    return _scope(Accountability.objects.select_related("unit", "ticket"), user).order_by("-created_at", "-pk")


def late_transfers(user: User, *, now: dt.datetime | None = None) -> QuerySet[Transfer]:
    """超时转办 on tickets the viewer oversees: a transfer out without its receipt in time, an
    inbound case not answered in time (``linkage.selectors.late``, the one definition)."""
    if not has_perm(user, Perm.OVERSEE):
        return Transfer.objects.none()
    late = linkage.late_transfers(now or timezone.now())
    return late.filter(ticket__in=tickets_visible_to(user))
