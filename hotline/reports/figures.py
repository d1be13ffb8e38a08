"""报 The figures of a daily, weekly or monthly report, read from tickets, events and revisits.

A pure data layer: ``period_figures(kind, day)`` returns a ``ReportFigures`` and writes nothing.
Renderers (``render.py``) and pages only format it. Every count is one grouped ORM query, so a
month of a busy city costs a few dozen queries whatever the volume.

Figures for a period that is still running (today, this week, this month) are taken "as of now".
The leader's dashboard is ``dashboard_figures``: the same counting functions over the viewer's
tickets, so a figure on the dashboard and in the month's report is one computation, not two that a
test keeps in step. The three rates come from ``hotline.evaluation.selectors``, the one definition
shared with ``hotline rates``; "overdue" and the status groups come from ``hotline.tickets``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.catalog.models import Matter
from hotline.dbfuncs import LocalDate
from hotline.evaluation.models import Revisit
from hotline.evaluation.selectors import month_headline, three_rates, three_rates_by, unit_scores
from hotline.intake.models import Channel
from hotline.orgs import areas
from hotline.policy import services as policy
from hotline.policy.services import PolicyValues
from hotline.supervision import quality
from hotline.supervision.models import Appeal
from hotline.linkage import selectors as linkage
from hotline.orgs.models import Region, Staff, Unit
from hotline.orgs.permissions import Perm, has_perm, staff_of
from hotline.tickets.models import HANDLING, IMPORTED, NOT_HANDLED, VOID, Status, Ticket, TicketEvent
from hotline.tickets.selectors import in_area, overdue, tickets_visible_to

from .periods import Kind, Period, period_for

if TYPE_CHECKING:
    from hotline.orgs.permissions import User

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
    # the dashboard's "overdue" while the period runs. The district rows' overdue add up to it.
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
    # The policy the rates were computed with: the one in force on the period's last day.
    policy: PolicyValues | None = None
    # 申诉: appeals filed in the period per unit: (unit name, filed, accepted, rejected, pending).
    appeals: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    # 话务质检 (monthly reports of the whole city): per operator, calls drawn, rated, average score.
    operator_quality: list[dict[str, Any]] = field(default_factory=list)
    # 涉企诉求: companies' requests received in the period, counted apart, and the previous period's.
    company_requests: int = 0
    previous_company_requests: int = 0
    # 派单及时: tickets first dispatched in the period, and of those within their dispatch deadline.
    first_dispatched: int = 0
    dispatched_on_time: int = 0

    @property
    def dispatch_on_time_rate(self) -> float | None:
        return 100 * self.dispatched_on_time / self.first_dispatched if self.first_dispatched else None

    # Transfers to and from 110/119/120/122 and other centres sent in the period, and the late ones.
    transfers: dict[str, int] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.period.kind

    @property
    def total_change(self) -> float | None:
        return change(self.total, self.previous_total)

    @property
    def running(self) -> bool:
        return self.as_of < self.period.end


def period_figures(
    kind: str, day: dt.date, *, now: dt.datetime | None = None, scope: QuerySet[Ticket] | None = None
) -> ReportFigures:
    """The figures of the ``kind`` period (daily, weekly, monthly) that contains ``day``.

    ``now`` (default: the current time) bounds a period that is still running. ``scope`` limits the
    figures to some tickets (a viewer's: ``tickets_visible_to``); the default is the whole city. A
    period that has not begun is refused with ValueError, as is an unknown kind.
    """
    if kind == Kind.SAFETY_DAILY:
        raise ValueError("the safety-hazard daily report is a paragraph: use hotline.reports.safety")
    period = period_for(kind, day)
    now = now or timezone.now()
    if period.start > now:
        raise ValueError(f"the {kind} period of {day:%Y-%m-%d} has not begun yet")
    as_of = min(period.end, now)
    previous = period.previous()
    scoped = Scope(scope)
    tickets = scoped.received(period.start, as_of)
    before = scoped.received(previous.start, previous.end)
    revisits = scoped.revisits(period.start, as_of)
    before_revisits = scoped.revisits(previous.start, previous.end)
    overdue_here = scoped.tickets.filter(overdue(as_of))
    rules = policy.for_period(period.end, now)

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
        by_district=_by_region(tickets, before, Region.Level.DISTRICT, overdue_here, limit=None),
        by_township=_by_region(tickets, before, Region.Level.TOWNSHIP, overdue_here, limit=TOP_ROWS * 2),
        by_unit=_by_unit(tickets, before, revisits, overdue_here, rules),
        rates=three_rates(revisits, rules),
        previous_rates=three_rates(before_revisits, policy.for_period(previous.end, now)),
        overdue_open=overdue_here.count(),
        deadlines_missed=_missed(scoped.tickets, period.start, as_of),
        previous_deadlines_missed=_missed(scoped.tickets, previous.start, previous.end),
        escalated=_tickets_with(scoped.events, ESCALATION_ACTIONS, period.start, as_of),
        reopened=_tickets_with(scoped.events, ("reopen",), period.start, as_of),
        returns=_events(scoped.events, Q(action="return"), period.start, as_of),
        redispatches=_events(scoped.events, Q(action="dispatch", from_status=Status.RETURNED), period.start, as_of),
        previous_returns=_events(scoped.events, Q(action="return"), previous.start, previous.end),
        top_issues=_top_issues(tickets, before),
        trend=_trend(scoped.tickets, period, as_of),
        policy=rules,
        appeals=_appeals(scoped, period.start, as_of),
        company_requests=tickets.exclude(status__in=VOID).exclude(company_code="").count(),
        **_dispatch_timeliness(scoped, period.start, as_of),
        previous_company_requests=before.exclude(status__in=VOID).exclude(company_code="").count(),
        operator_quality=(
            quality.operator_table(f"{period.first:%Y-%m}") if kind == Kind.MONTHLY and scoped.whole_city else []
        ),
        transfers=linkage.counts(period.start, as_of, now=as_of, tickets=None if scoped.whole_city else scoped.tickets),
    )


def _dispatch_timeliness(scoped: Scope, start: dt.datetime, until: dt.datetime) -> dict[str, int]:
    """Tickets first dispatched in [start, until) with a dispatch deadline, and those dispatched by it."""
    first = scoped.tickets.filter(first_dispatched_at__gte=start, first_dispatched_at__lt=until).exclude(
        dispatch_due=None
    )
    row = first.aggregate(n=Count("id"), on_time=Count("id", filter=Q(first_dispatched_at__lte=F("dispatch_due"))))
    return {"first_dispatched": row["n"], "dispatched_on_time": row["on_time"]}


def _appeals(scoped: Scope, start: dt.datetime, until: dt.datetime) -> list[tuple[str, int, int, int, int]]:
    """Appeals filed in the period, per unit: filed, accepted, rejected, still pending."""
    appeals = Appeal.objects.filter(filed_at__gte=start, filed_at__lt=until)
    if not scoped.whole_city:
        appeals = appeals.filter(ticket__in=scoped.tickets)
    rows = (
        appeals.values("unit__name")
        .annotate(
            n=Count("id"),
            accepted=Count("id", filter=Q(state=Appeal.State.ACCEPTED)),
            rejected=Count("id", filter=Q(state=Appeal.State.REJECTED)),
            pending=Count("id", filter=Q(state=Appeal.State.PENDING)),
        )
        .order_by("-n", "unit__name")
    )
    return [(r["unit__name"], r["n"], r["accepted"], r["rejected"], r["pending"]) for r in rows]


class Scope:
    """The tickets figures are counted over, and their events and revisits: the whole city, or
    what one viewer may see."""

    def __init__(self, tickets: QuerySet[Ticket] | None = None) -> None:
        self.whole_city = tickets is None
        # Imported history is no request of any period's figures (tickets.models.IMPORTED); its
        # events and revisits need no filter: an imported ticket has one event of its own and none.
        self.tickets = (Ticket.objects.all() if tickets is None else tickets).exclude(IMPORTED)

    def received(self, start: dt.datetime, until: dt.datetime) -> QuerySet[Ticket]:
        return self.tickets.filter(received_at__gte=start, received_at__lt=until)

    @property
    def events(self) -> QuerySet[TicketEvent]:
        events = TicketEvent.objects.all()
        return events if self.whole_city else events.filter(ticket__in=self.tickets)

    def revisits(self, start: dt.datetime, until: dt.datetime) -> QuerySet[Revisit]:
        revisits = Revisit.objects.filter(recorded_at__gte=start, recorded_at__lt=until)
        return revisits if self.whole_city else revisits.filter(ticket__in=self.tickets)


def _counts(qs: QuerySet[Any], key: str, **extra: Any) -> list[dict[str, Any]]:
    return list(qs.values(key).annotate(n=Count("id"), **extra).order_by("-n", key))


def _by_channel(tickets: QuerySet[Ticket], before: QuerySet[Ticket] | None) -> list[Row]:
    names = dict(Channel.objects.values_list("code", "name"))
    previous = {r["channel"]: r["n"] for r in _counts(before, "channel")} if before is not None else {}
    return [
        Row(r["channel"], names.get(r["channel"], r["channel"]), r["n"], previous.get(r["channel"], 0))
        for r in _counts(tickets, "channel")
    ]


def _by_category(tickets: QuerySet[Ticket], before: QuerySet[Ticket]) -> list[Row]:
    """Requests per top-level catalogue category (codes nest two digits per level). Tickets with
    no matter (merged or invalid before anyone classified them, or waiting for a dispatcher) are
    one row of their own, so the categories add up to the total (M12)."""

    def grouped(qs: QuerySet[Ticket]) -> list[dict]:
        return _counts(qs.exclude(matter=None).annotate(category=Substr("matter__code", 1, 2)), "category")

    names = dict(Matter.objects.filter(level=1).values_list("code", "name"))
    previous = {r["category"]: r["n"] for r in grouped(before)}
    rows = [
        Row(r["category"], names.get(r["category"], r["category"]), r["n"], previous.get(r["category"], 0))
        for r in grouped(tickets)
    ]
    unfiled = tickets.filter(matter=None).count()
    if unfiled:
        rows.append(Row(NO_MATTER, _("No matter"), unfiled, before.filter(matter=None).count()))
    return rows


# The key of the district row that counts tickets with no place at all (未定位), so the rows of a
# breakdown add up to the total.
NO_PLACE = "none"
NO_MATTER = "none"  # the category row of tickets without a matter


def _by_region(
    tickets: QuerySet[Ticket],
    before: QuerySet[Ticket] | None,
    level: str,
    overdue: QuerySet[Ticket],
    *,
    limit: int | None,
) -> list[Row]:
    """Requests received per district or township (``hotline.orgs.areas``: region codes nest), and
    beside each the tickets there that are overdue now (``overdue``: whenever received), so the
    overdue column adds up to the report's and the dashboard's overdue figure.

    The districts add up to the total: a ticket placed only at the city (its address named no
    district) is counted as "whole city, no district", and one with no place at all as "no place"
    (未定位). A ticket placed only at district level has no township: it is left out of the
    townships, which are a top list."""
    if level == Region.Level.DISTRICT:
        area: Any = Case(
            When(region__isnull=True, then=Value(NO_PLACE)),
            default=areas.district_code("region_id"),
            output_field=CharField(),
        )
    else:
        area = areas.township_code("region_id")

    def grouped(qs: QuerySet[Ticket]) -> dict[str | None, int]:
        placed = qs.annotate(area=area)
        if level == Region.Level.TOWNSHIP:
            placed = placed.exclude(region=None).exclude(area=None)
        return {r["area"]: r["n"] for r in _counts(placed, "area")}

    names = dict(Region.objects.filter(level=level).values_list("code", "name"))
    counts = grouped(tickets)
    previous = grouped(before) if before is not None else {}
    late = grouped(overdue)
    keys = sorted(set(counts) | set(late), key=lambda k: (-counts.get(k, 0), -late.get(k, 0), k or ""))

    def name(key: str | None) -> str:
        if key is None:
            return _("Whole city, no district")
        if key == NO_PLACE:
            return _("No place")
        return names.get(key) or key

    rows = [Row(k or "", name(k), counts.get(k, 0), previous.get(k, 0), late.get(k, 0)) for k in keys]
    return rows[:limit] if limit else rows


def _by_unit(
    tickets: QuerySet[Ticket],
    before: QuerySet[Ticket] | None,
    revisits: QuerySet[Revisit],
    overdue: QuerySet[Ticket],
    rules: PolicyValues | None = None,
) -> list[Row]:
    """The units that led the most requests received in the period, each with its tickets overdue
    now (whenever received) and its three rates over the period's revisits."""
    top = _counts(tickets.exclude(lead_unit=None), "lead_unit")[:TOP_ROWS]
    ids = [r["lead_unit"] for r in top]
    units = Unit.objects.in_bulk(ids)
    previous = (
        {r["lead_unit"]: r["n"] for r in _counts(before.filter(lead_unit__in=ids), "lead_unit")}
        if before is not None
        else {}
    )
    late = {r["lead_unit"]: r["n"] for r in _counts(overdue.filter(lead_unit__in=ids), "lead_unit")}
    rates = three_rates_by(revisits.filter(lead_unit__in=ids), "lead_unit", rules)
    empty = three_rates(Revisit.objects.none(), rules)
    return [
        Row(
            str(r["lead_unit"]),
            units[r["lead_unit"]].name,
            r["n"],
            previous.get(r["lead_unit"], 0),
            late.get(r["lead_unit"], 0),
            rates.get(r["lead_unit"]) or empty,
        )
        for r in top
    ]


def _missed(tickets: QuerySet[Ticket], start: dt.datetime, until: dt.datetime) -> int:
    """Resolution deadlines that ran out in [start, until) without a reply in time."""
    return (
        tickets.filter(resolve_due__gte=start, resolve_due__lt=until)
        .exclude(status__in=NOT_HANDLED)
        .filter(Q(replied_at=None) | Q(replied_at__gt=F("resolve_due")))
        .count()
    )


def _events(events: QuerySet[TicketEvent], condition: Q, start: dt.datetime, until: dt.datetime) -> int:
    return events.filter(condition, created_at__gte=start, created_at__lt=until).count()


def _tickets_with(
    events: QuerySet[TicketEvent], actions: tuple[str, ...], start: dt.datetime, until: dt.datetime
) -> int:
    if not actions:
        return 0
    return (
        events.filter(action__in=actions, created_at__gte=start, created_at__lt=until)
        .values("ticket")
        .distinct()
        .count()
    )


def _top_issues(tickets: QuerySet[Ticket], before: QuerySet[Ticket]) -> list[Issue]:
    top = _counts(tickets.exclude(matter=None), "matter")[:TOP_ISSUES]
    ids = [r["matter"] for r in top]
    matters = Matter.objects.in_bulk(ids)
    previous = {r["matter"]: r["n"] for r in _counts(before.filter(matter__in=ids), "matter")}
    # The latest requests of the period per matter, as the citizens put them (titles carry no phone
    # numbers): one windowed query for all the top matters, not one query per matter.
    latest = (
        tickets.filter(matter__in=ids)
        .exclude(status__in=VOID)
        .annotate(
            nth=Window(RowNumber(), partition_by=[F("matter")], order_by=[F("received_at").desc(), F("id").desc()])
        )
        .filter(nth__lte=EXAMPLES_PER_ISSUE)
        .order_by("matter", "nth")
        .values_list("matter", "title")
    )
    examples: dict[int, list[str]] = {}
    for matter_id, title in latest:
        examples.setdefault(matter_id, []).append(title)
    issues = []
    for r in top:
        matter = matters[r["matter"]]
        issues.append(
            Issue(
                matter.code,
                matter.name,
                matter.path,
                r["n"],
                previous.get(r["matter"], 0),
                examples.get(r["matter"], []),
            )
        )
    return issues


def _trend(tickets: QuerySet[Ticket], period: Period, as_of: dt.datetime) -> list[tuple[dt.date, int]]:
    """Requests per day over the period; for a daily report, the week ending on its day."""
    days = period.days
    if period.kind == Kind.DAILY:
        days = [period.first - dt.timedelta(days=i) for i in range(DAILY_TREND_DAYS - 1, -1, -1)]
    return per_day(tickets, days, as_of)


def per_day(tickets: QuerySet[Ticket], days: list[dt.date], as_of: dt.datetime) -> list[tuple[dt.date, int]]:
    """Requests received on each of ``days`` (local dates) up to ``as_of``; a day not yet begun is
    left out, not shown as an empty day to come."""
    days = [d for d in days if timezone.make_aware(dt.datetime.combine(d, dt.time.min)) < as_of]
    if not days:
        return []
    start = timezone.make_aware(dt.datetime.combine(days[0], dt.time.min))
    per_day: dict[dt.date | str, int] = dict(
        tickets.filter(received_at__gte=start, received_at__lt=as_of)
        .annotate(day=LocalDate("received_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    # SQLite returns the date as text, PostgreSQL as a date.
    return [(d, per_day.get(d, per_day.get(d.isoformat(), 0))) for d in days]


# --- the leader's dashboard --------------------------------------------------------------------------

DASHBOARD_DAYS = 30
DASHBOARD_CHANNELS = 10


class DashboardPeriod(models.TextChoices):
    """The spans a leader can look at; "overdue" and "being handled" are always as of now."""

    TODAY = "today", gettext_lazy("today")
    WEEK = "week", gettext_lazy("this week")
    MONTH = "month", gettext_lazy("this month")
    LAST_MONTH = "last_month", gettext_lazy("last month")
    LAST_30 = "30d", gettext_lazy("last 30 days")


@dataclass(frozen=True)
class DashboardFilters:
    """What the leader asked the dashboard: a period, and optionally a district (or township), a
    lead unit and a matter (any level: the matter and everything filed under it). Every figure is
    counted over the viewer's tickets narrowed by these, and the ticket lists the figures link to
    apply the same narrowing (``narrow`` here, ``web.views.pool.TicketFilter`` there)."""

    period: str = DashboardPeriod.MONTH
    region: Region | None = None
    unit: Unit | None = None
    matter: Matter | None = None

    def span(self, today: dt.date) -> Period:
        """The days the period covers (the last day inclusive), as a ``Period``."""
        if self.period == DashboardPeriod.TODAY:
            return period_for(Kind.DAILY, today)
        if self.period == DashboardPeriod.WEEK:
            return period_for(Kind.WEEKLY, today)
        if self.period == DashboardPeriod.LAST_MONTH:
            return period_for(Kind.MONTHLY, today).previous()
        if self.period == DashboardPeriod.LAST_30:
            return Period("range", today - dt.timedelta(days=DASHBOARD_DAYS - 1), today)
        return period_for(Kind.MONTHLY, today)

    def narrow(self, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.region is not None:
            tickets = tickets.filter(in_area(self.region.code))
        if self.unit is not None:
            tickets = tickets.filter(lead_unit=self.unit)
        if self.matter is not None:
            tickets = tickets.filter(matter__code__startswith=self.matter.code)
        return tickets

    @property
    def narrowed(self) -> bool:
        return self.region is not None or self.unit is not None or self.matter is not None


@dataclass
class Dashboard:
    """What the leader's dashboard shows: a period (this month unless asked otherwise) as of now,
    over the viewer's tickets narrowed by the filters, counted by the same functions as the reports."""

    as_of: dt.datetime
    period: Period
    filters: DashboardFilters
    today_count: int
    period_count: int
    # Being handled by a unit now (``tickets.models.HANDLING``), and of those the overdue ones.
    open_count: int
    overdue: int
    rates: dict
    rates_30: dict
    trend: list[tuple[dt.date, int]]
    by_district: list[Row]
    by_channel: list[Row]
    by_unit: list[Row]
    # 评: the period's month's unit scores and zones, city-wide (units are ranked against each other).
    scores: list[dict]
    headline: dict

    @property
    def ranked(self) -> list[dict]:
        return [r for r in self.scores if r["rank"] is not None]


def dashboard_figures(
    viewer: User, *, now: dt.datetime | None = None, filters: DashboardFilters | None = None
) -> Dashboard:
    """The dashboard of ``viewer`` (a leader, supervisor or district overseer) as of ``now``."""
    now = now or timezone.now()
    filters = filters or DashboardFilters()
    today = timezone.localtime(now).date()
    period = filters.span(today)
    as_of = min(period.end, now)
    # Whole city when the viewer sees every ticket and asked for no part of it: events and revisits
    # are then read directly instead of through "ticket in (every ticket)", which cost the
    # dashboard a scan of the ticket table per rate.
    whole_city = has_perm(viewer, Perm.SEE_ALL_TICKETS) and not filters.narrowed
    scoped = Scope(None if whole_city else filters.narrow(tickets_visible_to(viewer)))
    in_period = scoped.received(period.start, as_of)
    since = period_for(Kind.DAILY, period.last - dt.timedelta(days=DASHBOARD_DAYS - 1))
    period_revisits = scoped.revisits(period.start, as_of)
    overdue_now = scoped.tickets.filter(overdue(now))
    label = f"{period.first:%Y-%m}"
    trend_days = [since.first + dt.timedelta(days=i) for i in range(DASHBOARD_DAYS)]
    # A district's overseer sees its own units' places in the city-wide ranking, not every unit's
    # (L2 of 2026-11-30); the centre sees the whole ranking.
    units = _units_overseen(viewer)
    scores = unit_scores(label)
    # The period's rates by the policy in force on its last day, as in the reports.
    rules = policy.for_period(period.end, now)
    return Dashboard(
        as_of=now,
        period=period,
        filters=filters,
        today_count=scoped.received(period_for(Kind.DAILY, today).start, now).count(),
        period_count=in_period.count(),
        open_count=scoped.tickets.filter(status__in=HANDLING).count(),
        overdue=overdue_now.count(),
        rates=three_rates(period_revisits, rules),
        rates_30=three_rates(scoped.revisits(since.start, as_of)),
        trend=per_day(scoped.tickets, trend_days, as_of),
        by_district=_by_region(in_period, None, Region.Level.DISTRICT, overdue_now, limit=None),
        by_channel=_by_channel(in_period, None)[:DASHBOARD_CHANNELS],
        by_unit=_by_unit(in_period, None, period_revisits, overdue_now, rules),
        scores=scores if units is None else [r for r in scores if r["key"] in units],
        headline=month_headline(label, scores=scores, units=units),
    )


def _units_overseen(viewer: User) -> set[int] | None:
    """None for the centre (every unit); else the units placed in the viewer's district."""
    if has_perm(viewer, Perm.SEE_ALL_TICKETS):
        return None
    staff = staff_of(viewer)
    if staff is None or staff.role != Staff.Role.DISTRICT:
        return set()
    return set(Unit.objects.filter(areas.within("region__code", staff.unit.region_id)).values_list("pk", flat=True))
