"""Deadlines stored on the ticket, derived from its clock start, tier, extension and reply.

Every due time is a pure function of ticket fields, so a deadline computed provisionally (in a
year the holiday table does not cover) can be recomputed exactly once the schedule is entered.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from hotline.catalog.models import Matter, TimeTier
from hotline.policy import services as policy
from hotline.workcal.services import Calendar, get_calendar

from .models import HANDLING, REPLIED_OR_CLOSED, DeadlineState, Status, Ticket, Urgency

log = logging.getLogger(__name__)

DUE_FIELDS = (
    "dispatch_due",
    "respond_due",
    "sign_due",
    "contact_due",
    "return_due",
    "resolve_due",
    "revisit_due",
    "progress_due",
    "deadlines_provisional",
)
STATE_FIELDS = (
    "dispatch_state",
    "respond_state",
    "sign_state",
    "contact_state",
    "resolve_state",
    "revisit_state",
    "progress_state",
)


# A leaf of the catalogue without a tier, or a ticket without a matter, gets this one.
DEFAULT_TIER = TimeTier.SEVEN


def _policy(name: str) -> Any:
    policy: Mapping[str, Any] = settings.HOTLINE
    return policy[name]


def tier_for(matter: Matter | None, urgency: str) -> int:
    """The ticket's time tier: the matter's, shortened by urgency (an emergency runs same-day, an
    urgent request within one working day)."""
    tier = matter.tier if matter is not None and matter.tier is not None else DEFAULT_TIER
    if urgency == Urgency.EMERGENCY:
        return int(TimeTier.SAME_DAY)
    if urgency == Urgency.URGENT:
        return int(min(tier, TimeTier.ONE))
    return int(tier)


def span_after(start: dt.datetime, span: tuple[str, int] | None, calendar: Calendar) -> tuple[dt.datetime | None, bool]:
    """``start`` plus a configured span (minutes or hours on the clock, or working days), and
    whether the result is provisional; ``None`` when no span is configured."""
    if span is None:
        return None, False
    unit, n = span
    if unit == "minutes":
        return start + dt.timedelta(minutes=n), False
    if unit == "hours":
        return start + dt.timedelta(hours=n), False
    return calendar.add_working_days(start, n)


def dispatch_span(urgency: str, received_at: dt.datetime) -> tuple[str, int] | None:
    """派单时限 for a ticket of this urgency, by the policy in force when it was received."""
    return policy.in_force_at(received_at).dispatch_due.get(urgency)


def response_span(channel_kind: str, received_at: dt.datetime) -> tuple[str, int] | None:
    """首次响应时限 for a channel of this kind by the policy in force when the request was received,
    or None (no such clock)."""
    return policy.in_force_at(received_at).response_due.get(channel_kind)


def compute_dues(ticket: Ticket, calendar: Calendar | None = None) -> None:
    """Set every due time from the ticket's receipt, urgency, channel, clock start, tier, extension
    days and reply time."""
    cal = calendar or get_calendar()
    provisional = False
    ticket.dispatch_due, provisional = span_after(
        ticket.received_at, dispatch_span(ticket.urgency, ticket.received_at), cal
    )
    if ticket.status == Status.REGISTERED:
        # The channel never changes: its clock is computed while the ticket waits (the channel row
        # is at hand then) and kept afterwards, so later moves read no channel.
        ticket.respond_due, p = span_after(
            ticket.received_at, response_span(ticket.channel.kind, ticket.received_at), cal
        )
        provisional |= p
    start = ticket.clock_started_at
    if start is None:
        ticket.sign_due = ticket.contact_due = ticket.return_due = ticket.resolve_due = None
    else:
        tier = ticket.tier if ticket.tier is not None else DEFAULT_TIER
        if tier == 0:
            # Same-day matters run on the clock, not on working days: a blocked fire lane at 2 a.m.
            # on a Sunday cannot wait for Monday.
            ticket.sign_due = start + dt.timedelta(hours=_policy("URGENT_SIGN_HOURS"))
            ticket.contact_due = start + dt.timedelta(hours=_policy("URGENT_CONTACT_HOURS"))
            ticket.return_due = ticket.sign_due
            ticket.resolve_due = start + dt.timedelta(hours=24)
            if ticket.extension_days:
                ticket.resolve_due, p = cal.add_working_days(ticket.resolve_due, ticket.extension_days)
                provisional |= p
        else:
            ticket.sign_due, p1 = cal.add_working_days(start, _policy("SIGN_WORKING_DAYS"))
            ticket.contact_due, p2 = cal.add_working_days(start, _policy("CONTACT_WORKING_DAYS"))
            ticket.return_due, p3 = cal.add_working_days(start, _policy("RETURN_WORKING_DAYS"))
            ticket.resolve_due, p4 = cal.add_working_days(start, tier + ticket.extension_days)
            provisional |= p1 or p2 or p3 or p4
        if ticket.long_cycle_until is not None:
            # A long-running matter: the centre granted this deadline in place of the tier's.
            ticket.resolve_due = ticket.long_cycle_until
    if ticket.long_cycle_until is not None and ticket.progress_every and ticket.progress_at is not None:
        ticket.progress_due, p = cal.add_working_days(ticket.progress_at, ticket.progress_every)
        provisional |= p
    else:
        ticket.progress_due = None
    if ticket.replied_at is not None and ticket.status in REPLIED_OR_CLOSED:
        ticket.revisit_due, p = cal.add_working_days(ticket.replied_at, _policy("REVISIT_WORKING_DAYS"))
        provisional |= p
    else:
        ticket.revisit_due = None
    if provisional and not ticket.deadlines_provisional:
        log.warning(
            "ticket %s has provisional deadlines: enter the holiday schedule for the years involved", ticket.code
        )
    ticket.deadlines_provisional = provisional


def deadline_state(
    *,
    due: dt.datetime | None,
    start: dt.datetime | None,
    done: dt.datetime | None,
    now: dt.datetime,
    running: bool,
    calendar: Calendar | None = None,
) -> str:
    if due is None:
        return DeadlineState.NONE
    if done is not None:
        return DeadlineState.MET if done <= due else DeadlineState.MET_LATE
    if not running:
        return DeadlineState.NONE
    if now > due:
        return DeadlineState.OVERDUE
    if start is not None and (due - now) < (due - start) * _policy("WARNING_SHARE"):
        return DeadlineState.WARNING
    days = _policy("WARNING_WORKING_DAYS")
    if days and (calendar or get_calendar()).add_working_days(now, days)[0] >= due:
        # "One working day before": the deadline falls within the next ``days`` working days.
        return DeadlineState.WARNING
    return DeadlineState.ON_TIME


def refresh_states(ticket: Ticket, now: dt.datetime, calendar: Calendar | None = None) -> None:
    """Recompute each deadline's state (on time, warning, overdue, met) as of ``now``."""
    start = ticket.clock_started_at
    if calendar is None and _policy("WARNING_WORKING_DAYS"):
        calendar = get_calendar()
    # A returned ticket waits on the centre, not the unit: the unit's clocks do not run red meanwhile.
    handling = ticket.status in HANDLING
    waiting = ticket.status == Status.REGISTERED
    ticket.dispatch_state = deadline_state(
        due=ticket.dispatch_due,
        start=ticket.received_at,
        done=ticket.first_dispatched_at,
        now=now,
        running=waiting,
        calendar=calendar,
    )
    ticket.respond_state = deadline_state(
        due=ticket.respond_due,
        start=ticket.received_at,
        done=ticket.responded_at,
        now=now,
        running=waiting,
        calendar=calendar,
    )
    ticket.sign_state = deadline_state(
        due=ticket.sign_due, start=start, done=ticket.signed_at, now=now, running=handling, calendar=calendar
    )
    ticket.contact_state = deadline_state(
        due=ticket.contact_due,
        start=start,
        done=ticket.contacted_at,
        now=now,
        running=handling,
        calendar=calendar,
    )
    ticket.resolve_state = deadline_state(
        due=ticket.resolve_due,
        start=start,
        done=ticket.replied_at,
        now=now,
        running=handling,
        calendar=calendar,
    )
    ticket.progress_state = deadline_state(
        due=ticket.progress_due,
        start=ticket.progress_at,
        done=None,
        now=now,
        running=handling and ticket.status != Status.DISPATCHED,
        calendar=calendar,
    )
    ticket.revisit_state = deadline_state(
        due=ticket.revisit_due,
        start=ticket.replied_at,
        done=ticket.closed_at,
        now=now,
        running=ticket.status == Status.REPLIED,
        calendar=calendar,
    )
