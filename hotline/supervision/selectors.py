"""Reads for the supervision pool (督办池), always scoped to the viewer.

The web UI calls ``pool`` for the list, ``pool_counts`` for the red/yellow/green tally,
``escalations`` for a ticket's orders, ``spot_checks`` and ``accountability`` for findings.
"""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from hotline.tickets.models import DeadlineState, Status, Ticket
from hotline.tickets.selectors import _centre_staff, tickets_visible_to

from .models import Accountability, OrderLevel, SpotCheck, SupervisionOrder

POOL_STATUSES = (Status.DISPATCHED, Status.RETURNED, Status.IN_PROGRESS, Status.REOPENED)
COLOURS = {"red": _("overdue"), "yellow": _("deadline near"), "green": _("on time")}
_RED = (
    Q(resolve_state=DeadlineState.OVERDUE)
    | Q(sign_state=DeadlineState.OVERDUE)
    | Q(contact_state=DeadlineState.OVERDUE)
)
_YELLOW = (
    Q(resolve_state=DeadlineState.WARNING)
    | Q(sign_state=DeadlineState.WARNING)
    | Q(contact_state=DeadlineState.WARNING)
)
FILTERS = ("colour", "unit", "district", "level", "code")


def _colour_rank():
    # 0 red, 1 yellow, 2 green: sorts the pool worst first.
    return Case(When(_RED, then=Value(0)), When(_YELLOW, then=Value(1)), default=Value(2), output_field=IntegerField())


def pool(user, filters: dict | None = None) -> QuerySet[Ticket]:
    """Open tickets the viewer may see, worst first, each annotated with:

    ``colour_rank`` (0 red = a deadline overdue, 1 yellow = a deadline near, 2 green), ``escalation``
    (the highest order rank issued, 0 none; see ``OrderLevel``/``LEVEL_RANK``) and ``order_count``.
    ``filters`` (all optional): ``colour`` red|yellow|green, ``unit`` (unit id), ``district`` (region
    code), ``level`` (an ``OrderLevel`` value: tickets with such an order), ``code`` (part of the
    ticket code). Unknown keys or values raise ``ValueError``.
    """
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"unknown pool filters: {sorted(unknown)}")
    orders = SupervisionOrder.objects.filter(ticket=OuterRef("pk")).order_by().values("ticket")
    qs = (
        tickets_visible_to(user)
        .filter(status__in=POOL_STATUSES)
        .annotate(
            colour_rank=_colour_rank(),
            escalation=Coalesce(Subquery(orders.annotate(m=Max("rank")).values("m")[:1]), 0),
            order_count=Coalesce(Subquery(orders.annotate(c=Count("id")).values("c")[:1]), 0),
        )
        .select_related("lead_unit", "matter", "region")
    )
    colour = filters.get("colour")
    if colour is not None:
        if colour not in COLOURS:
            raise ValueError(f"colour must be one of {sorted(COLOURS)}")
        qs = (
            qs.filter(_RED)
            if colour == "red"
            else qs.exclude(_RED).filter(_YELLOW)
            if colour == "yellow"
            else (qs.exclude(_RED).exclude(_YELLOW))
        )
    if "unit" in filters:
        qs = qs.filter(lead_unit_id=int(filters["unit"]))
    if "district" in filters:
        code = str(filters["district"])
        qs = qs.filter(Q(region_id=code) | Q(region__parent_id=code) | Q(region__parent__parent_id=code))
    if "level" in filters:
        if filters["level"] not in OrderLevel.values:
            raise ValueError(f"level must be one of {OrderLevel.values}")
        qs = qs.filter(supervision_orders__level=filters["level"]).distinct()
    if "code" in filters:
        qs = qs.filter(code__icontains=str(filters["code"])[:24])
    return qs.order_by("colour_rank", "resolve_due", "pk")


def pool_counts(user, filters: dict | None = None) -> dict[str, int]:
    """How many pool tickets are red, yellow and green (and in all), under the same filters."""
    filters = {k: v for k, v in (filters or {}).items() if k != "colour"}
    agg = (
        pool(user, filters)
        .order_by()
        .aggregate(
            red=Count("pk", filter=_RED),
            yellow=Count("pk", filter=~_RED & _YELLOW),
            total=Count("pk"),
        )
    )
    agg["green"] = agg["total"] - agg["red"] - agg["yellow"]
    return agg


def escalations(ticket: Ticket) -> QuerySet[SupervisionOrder]:
    """The ticket's supervision orders, oldest first."""
    return SupervisionOrder.objects.filter(ticket=ticket).select_related("unit").order_by("issued_at", "rank")


def _scope(qs: QuerySet, user) -> QuerySet:
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_superuser or _centre_staff(user) is not None:
        return qs
    staff = getattr(user, "staff", None)
    return qs.filter(unit=staff.unit) if staff is not None else qs.none()


def spot_checks(user, *, batch: str | None = None, finding: str | None = None) -> QuerySet[SpotCheck]:
    """Spot checks the viewer may see (the centre: all; a unit: its own), riskiest first.
    ``finding=""`` lists those still to check."""
    qs = _scope(SpotCheck.objects.select_related("ticket", "unit", "checker"), user)
    if batch:
        qs = qs.filter(batch=batch)
    if finding is not None:
        qs = qs.filter(finding=finding)
    return qs.order_by("-drawn_at", "-risk", "pk")


def accountability(user) -> QuerySet[Accountability]:
    """Accountability records the viewer may see, newest first."""
    return _scope(Accountability.objects.select_related("unit", "ticket"), user).order_by("-created_at", "-pk")
