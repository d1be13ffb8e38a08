"""报 The figures of a daily, weekly or monthly report, read from tickets, events and revisits.

A pure data layer: ``period_figures(kind, day)`` returns a ``ReportFigures`` and writes nothing.
Renderers (``render.py``) and pages only format it. Every count is one grouped ORM query, so a
month of a busy city costs a few dozen queries whatever the volume.

Figures for a period that is still running (today, this week, this month) are taken "as of now"
and agree to the ticket with the leader's dashboard; the three rates come from
``hotline.evaluation.selectors``, the one definition shared with the dashboard and ``hotline rates``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.catalog.models import Matter
from hotline.dbfuncs import LocalDate
from hotline.evaluation.models import Revisit
from hotline.evaluation.selectors import three_rates, three_rates_by
from hotline.intake.models import Channel
from hotline.orgs.models import Region, Unit
from hotline.tickets.models import Status, Ticket, TicketEvent

from .periods import Kind, Period, period_for

# Being handled by a unit: the statuses in which a resolution deadline can run out (as the
# dashboard counts them).
HANDLING = (Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED)
# Never handled by a unit, so no deadline of theirs can be missed.
NOT_HANDLED = (Status.ANSWERED, Status.MERGED, Status.INVALID, Status.REGISTERED)

# Escalation (升级督办): the event actions that count a ticket as escalated in a report — a
# supervision order (督办单, any level) or a reopening after a failed revisit or spot check.
ESCALATION_ACTIONS: tuple[str, ...] = ("reopen", "supervise")

TOP_ROWS = 15
TOP_ISSUES = 10
EXAMPLES_PER_ISSUE = 2
DAILY_TREND_DAYS = 7


def change(now: float | int | None, before: float | int | None) -> float | None:
    """Percentage change from ``before`` to ``now``; None when there is nothing to compare with."""
    if now is None or not before:
        return None
    return 100 * (now - before) / before


@dataclass
class Row:
    """One line of a breakdown: a channel, category, district, township or unit."""

    key: str
    name: str
    n: int
    previous: int = 0
    overdue: int = 0
    rates: dict | None = None

    @property
    def change(self) -> float | None:
        return change(self.n, self.previous)


@dataclass
class Issue:
    """One of the period's most frequent matters, with example requests."""

    code: str
    name: str
    path: str
    n: int
    previous: int
    examples: list[str] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        return change(self.n, self.previous)


@dataclass
class ReportFigures:
    period: Period
    previous_period: Period
    generated_at: dt.datetime
    # The instant the figures describe: the period's end, or now while the period runs.
    as_of: dt.datetime
    total: int
    previous_total: int
    answered_directly: int
    dispatched: int
    by_channel: list[Row]
    by_category: list[Row]
    by_district: list[Row]
    by_township: list[Row]
    by_unit: list[Row]
    rates: dict
    previous_rates: dict
    # Tickets being handled whose resolution deadline had passed at ``as_of`` (all receipt dates):
    # the dashboard's "overdue" while the period runs.
    overdue_open: int
    # Resolution deadlines that fell in the period and were missed (replied late or not at all).
    deadlines_missed: int
    previous_deadlines_missed: int
    escalated: int
    reopened: int
    returns: int
    redispatches: int
    previous_returns: int
    top_issues: list[Issue]
    trend: list[tuple[dt.date, int]]

    @property
    def kind(self) -> str:
        return self.period.kind

    @property
    def total_change(self) -> float | None:
        return change(self.total, self.previous_total)

    @property
    def running(self) -> bool:
        return self.as_of < self.period.end


def period_figures(kind: str, day: dt.date, *, now: dt.datetime | None = None) -> ReportFigures:
    """The figures of the ``kind`` period (daily, weekly, monthly) that contains ``day``.

    ``now`` (default: the current time) bounds a period that is still running. A period that has
    not begun is refused with ValueError, as is an unknown kind.
    """
    if kind == Kind.SAFETY_DAILY:
        raise ValueError("the safety-hazard daily report is a paragraph: use hotline.reports.safety")
    period = period_for(kind, day)
    now = now or timezone.now()
    if period.start > now:
        raise ValueError(f"the {kind} period of {day:%Y-%m-%d} has not begun yet")
    as_of = min(period.end, now)
    previous = period.previous()
    tickets = _received(period, as_of)
    before = _received(previous, previous.end)
    revisits = Revisit.objects.filter(recorded_at__gte=period.start, recorded_at__lt=as_of)
    before_revisits = Revisit.objects.filter(recorded_at__gte=previous.start, recorded_at__lt=previous.end)
    overdue_here = Q(status__in=HANDLING, resolve_due__lt=as_of)

    status_counts = dict(tickets.values_list("status").annotate(n=Count("id")).order_by())
    return ReportFigures(
        period=period,
        previous_period=previous,
        generated_at=now,
        as_of=as_of,
        total=sum(status_counts.values()),
        previous_total=before.count(),
        answered_directly=status_counts.get(Status.ANSWERED, 0),
        dispatched=tickets.exclude(dispatched_at=None).count(),
        by_channel=_by_channel(tickets, before),
        by_category=_by_category(tickets, before),
        by_district=_by_region(tickets, before, 6, Region.Level.DISTRICT, overdue_here, limit=None),
        by_township=_by_region(tickets, before, 9, Region.Level.TOWNSHIP, overdue_here, limit=TOP_ROWS * 2),
        by_unit=_by_unit(tickets, before, revisits, overdue_here),
        rates=three_rates(revisits),
        previous_rates=three_rates(before_revisits),
        overdue_open=Ticket.objects.filter(overdue_here).count(),
        deadlines_missed=_missed(period.start, as_of),
        previous_deadlines_missed=_missed(previous.start, previous.end),
        escalated=_tickets_with(ESCALATION_ACTIONS, period.start, as_of),
        reopened=_tickets_with(("reopen",), period.start, as_of),
        returns=_events(Q(action="return"), period.start, as_of),
        redispatches=_events(Q(action="dispatch", from_status=Status.RETURNED), period.start, as_of),
        previous_returns=_events(Q(action="return"), previous.start, previous.end),
        top_issues=_top_issues(tickets, before),
        trend=_trend(period, as_of),
    )


def _received(period: Period, until: dt.datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(received_at__gte=period.start, received_at__lt=until)


def _counts(qs: QuerySet, key: str, **extra) -> list[dict]:
    return list(qs.values(key).annotate(n=Count("id"), **extra).order_by("-n", key))


def _by_channel(tickets: QuerySet[Ticket], before: QuerySet[Ticket]) -> list[Row]:
    names = dict(Channel.objects.values_list("code", "name"))
    previous = {r["channel"]: r["n"] for r in _counts(before, "channel")}
    return [
        Row(r["channel"], names.get(r["channel"], r["channel"]), r["n"], previous.get(r["channel"], 0))
        for r in _counts(tickets, "channel")
    ]


def _by_category(tickets: QuerySet[Ticket], before: QuerySet[Ticket]) -> list[Row]:
    """Requests per top-level catalogue category (codes nest two digits per level)."""

    def grouped(qs: QuerySet[Ticket]) -> list[dict]:
        return _counts(qs.exclude(matter=None).annotate(category=Substr("matter__code", 1, 2)), "category")

    names = dict(Matter.objects.filter(level=1).values_list("code", "name"))
    previous = {r["category"]: r["n"] for r in grouped(before)}
    return [
        Row(r["category"], names.get(r["category"], r["category"]), r["n"], previous.get(r["category"], 0))
        for r in grouped(tickets)
    ]


def _by_region(
    tickets: QuerySet[Ticket], before: QuerySet[Ticket], digits: int, level: str, overdue: Q, *, limit: int | None
) -> list[Row]:
    """Requests per district (6-digit code prefix) or township (9 digits): region codes nest."""

    def grouped(qs: QuerySet[Ticket], **extra) -> list[dict]:
        return _counts(qs.exclude(region=None).annotate(area=Substr("region_id", 1, digits)), "area", **extra)

    names = dict(Region.objects.filter(level=level).values_list("code", "name"))
    previous = {r["area"]: r["n"] for r in grouped(before)}
    # A ticket placed only at district level has no township: it is left out of the townships.
    # One placed only at the city (its address named no district) is counted apart, named as the
    # dashboard names it.
    rows = [
        Row(
            r["area"],
            names.get(r["area"]) or (_("Whole city, no district") if level == Region.Level.DISTRICT else r["area"]),
            r["n"],
            previous.get(r["area"], 0),
            r["overdue"],
        )
        for r in grouped(tickets, overdue=Count("id", filter=overdue))
        if len(r["area"]) == digits
    ]
    return rows[:limit] if limit else rows


def _by_unit(tickets: QuerySet[Ticket], before: QuerySet[Ticket], revisits: QuerySet[Revisit], overdue: Q) -> list[Row]:
    top = _counts(tickets.exclude(lead_unit=None), "lead_unit", overdue=Count("id", filter=overdue))[:TOP_ROWS]
    ids = [r["lead_unit"] for r in top]
    units = Unit.objects.in_bulk(ids)
    previous = {r["lead_unit"]: r["n"] for r in _counts(before.filter(lead_unit__in=ids), "lead_unit")}
    rates = three_rates_by(revisits.filter(lead_unit__in=ids), "lead_unit")
    empty = three_rates(Revisit.objects.none())
    return [
        Row(
            str(r["lead_unit"]),
            units[r["lead_unit"]].name,
            r["n"],
            previous.get(r["lead_unit"], 0),
            r["overdue"],
            rates.get(r["lead_unit"]) or empty,
        )
        for r in top
    ]


def _missed(start: dt.datetime, until: dt.datetime) -> int:
    """Resolution deadlines that ran out in [start, until) without a reply in time."""
    return (
        Ticket.objects.filter(resolve_due__gte=start, resolve_due__lt=until)
        .exclude(status__in=NOT_HANDLED)
        .filter(Q(replied_at=None) | Q(replied_at__gt=F("resolve_due")))
        .count()
    )


def _events(condition: Q, start: dt.datetime, until: dt.datetime) -> int:
    return TicketEvent.objects.filter(condition, created_at__gte=start, created_at__lt=until).count()


def _tickets_with(actions: tuple[str, ...], start: dt.datetime, until: dt.datetime) -> int:
    if not actions:
        return 0
    return (
        TicketEvent.objects.filter(action__in=actions, created_at__gte=start, created_at__lt=until)
        .values("ticket")
        .distinct()
        .count()
    )


def _top_issues(tickets: QuerySet[Ticket], before: QuerySet[Ticket]) -> list[Issue]:
    top = _counts(tickets.exclude(matter=None), "matter")[:TOP_ISSUES]
    ids = [r["matter"] for r in top]
    matters = Matter.objects.in_bulk(ids)
    previous = {r["matter"]: r["n"] for r in _counts(before.filter(matter__in=ids), "matter")}
    issues = []
    for r in top:
        matter = matters[r["matter"]]
        # The latest requests of the period, as the citizens put them (titles carry no phone numbers).
        examples = list(
            tickets.filter(matter=matter)
            .exclude(status__in=(Status.MERGED, Status.INVALID))
            .order_by("-received_at")
            .values_list("title", flat=True)[:EXAMPLES_PER_ISSUE]
        )
        issues.append(Issue(matter.code, matter.name, matter.path, r["n"], previous.get(r["matter"], 0), examples))
    return issues


def _trend(period: Period, as_of: dt.datetime) -> list[tuple[dt.date, int]]:
    """Requests per day over the period; for a daily report, the week ending on its day."""
    days = period.days
    if period.kind == Kind.DAILY:
        days = [period.first - dt.timedelta(days=i) for i in range(DAILY_TREND_DAYS - 1, -1, -1)]
    # A running period shows the days so far, not a tail of empty days to come.
    days = [d for d in days if timezone.make_aware(dt.datetime.combine(d, dt.time.min)) < as_of]
    start = timezone.make_aware(dt.datetime.combine(days[0], dt.time.min))
    per_day = dict(
        Ticket.objects.filter(received_at__gte=start, received_at__lt=as_of)
        .annotate(day=LocalDate("received_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    # SQLite returns the date as text, PostgreSQL as a date.
    return [(d, per_day.get(d, per_day.get(d.isoformat(), 0))) for d in days]
