"""督办单 supervision orders: the escalation ladder and repeat complaints.

Every level fires once per ticket and deadline (a unique constraint, not a check in Python), so a
job run twice, a worker restarted halfway, or two workers racing issue one order and one set of
messages.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.orgs.models import Unit
from hotline.policy import services as policy
from hotline.orgs.places import place_key
from hotline.outbox import delivery
from hotline.outbox.models import Delivery
from hotline.text import clean_text
from hotline.tickets import transitions
from hotline.tickets.models import HANDLING, RUNNING, VOID, Status, Ticket
from hotline.workcal.services import Calendar, get_calendar

from .models import LEVEL_RANK, Accountability, OrderLevel, SupervisionOrder

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor
    from hotline.settings import SupervisionLevel


def levels(day: dt.date | None = None) -> list[SupervisionLevel]:
    """The ladder of the policy in force on ``day`` (default today), validated: a misspelt level or
    recipient is an error, not a silence."""
    out: list[SupervisionLevel] = []
    entry: SupervisionLevel
    for entry in policy.in_force(day).ladder:  # type: ignore[assignment]
        if entry["level"] not in OrderLevel.values:
            raise ValueError(f"unknown supervision level {entry['level']!r}")
        unknown = set(entry["to"]) - {"unit", "parent", "centre"}
        if unknown:
            raise ValueError(f"unknown recipients {sorted(unknown)} for level {entry['level']}")
        out.append(entry)
    return out


def fires(due: dt.datetime, offset_days: int, now: dt.datetime, calendar: Calendar) -> bool:
    """Whether a level ``offset_days`` working days from ``due`` (negative: before) is reached at ``now``."""
    if offset_days < 0:
        return now <= due and calendar.add_working_days(now, -offset_days)[0] >= due
    return now >= calendar.add_working_days(due, offset_days)[0]


def _recipients(unit: Unit, to: list[str]) -> list[Unit]:
    out: list[Unit] = []
    for who in to:
        if who == "unit":
            out.append(unit)
        elif who == "parent" and unit.parent is not None:
            out.append(unit.parent)
        elif who == "centre":
            centre = Unit.objects.filter(kind=Unit.Kind.CENTRE).first()
            if centre is not None:
                out.append(centre)
    return list({u.pk: u for u in out}.values())  # each unit once, in order


def _channel(unit: Unit) -> str:
    """Where an order reaches a unit: its duty mobile, else its e-mail, else (a phone of any kind
    as before) SMS, else the platform inbox."""
    if unit.mobile:
        return Delivery.Channel.SMS
    if unit.email:
        return Delivery.Channel.EMAIL
    return Delivery.Channel.SMS if unit.phone else Delivery.Channel.INBOX


def _message(ticket: Ticket, level: str, reason: str, due_at: dt.datetime | None) -> str:
    due = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M") if due_at else "—"
    return _("【12345 %(level)s】Ticket %(code)s (%(title)s), due %(due)s: %(reason)s") % {
        "level": OrderLevel(level).label,
        "code": ticket.code,
        "title": ticket.title,
        "due": due,
        "reason": reason,
    }


def issue(
    ticket: Ticket,
    *,
    level: str,
    due: dt.datetime,
    reason: str,
    to: list[str],
    now: dt.datetime,
    actor: Actor | None = None,
    unit: Unit | None = None,
    by_hand: bool = False,
) -> SupervisionOrder | None:
    """Issue one order with its event and messages, or nothing when it exists already.

    The order is addressed to ``unit``, by default the ticket's lead unit (none: no order); the
    centre for its own late dispatch."""
    target = unit if unit is not None else ticket.lead_unit
    if target is None:
        return None
    if SupervisionOrder.objects.filter(ticket=ticket, level=level, due=due).exists():
        return None
    try:
        with transitions.service_block():
            order = SupervisionOrder.objects.create(
                ticket=ticket,
                unit=target,
                level=level,
                rank=LEVEL_RANK[level],
                due=due,
                reason=reason,
                issued_at=now,
                issued_by=actor if by_hand else None,
            )
            transitions.apply(
                ticket,
                "supervise",
                actor=actor,
                unit=target,
                note=reason,
                at=now,
                data={"level": level, "order": order.pk},
            )
            if level == OrderLevel.PUBLIC:
                Accountability.objects.create(
                    unit=target,
                    ticket=ticket,
                    kind=Accountability.Kind.PUBLIC_NOTICE,
                    order=order,
                    note=reason,
                    created_at=now,
                )
            text = _message(ticket, level, reason, due)
            for recipient in _recipients(target, to):
                delivery.enqueue(
                    key=f"order:{order.pk}:unit:{recipient.pk}",
                    channel=_channel(recipient),
                    address=recipient.mobile or recipient.email or recipient.phone or recipient.code,
                    body=text,
                    unit=recipient,
                    ticket=ticket,
                    at=now,
                )
    except (IntegrityError, transitions.TransitionError):
        # Another worker issued it first, or the ticket moved under us: the next run looks again.
        return None
    return order


def escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Issue every order of the ladder that is due and not yet issued.

    Reads the candidates' deadlines and their existing orders in two queries, and loads a full
    ticket only for an order to issue, so a run with nothing to do stays cheap at any size.
    """
    now = now or timezone.now()
    calendar = get_calendar()
    ladder = levels(timezone.localdate(now))
    horizon = max((-e["offset_days"] for e in ladder if e["offset_days"] < 0), default=0)
    # Working days ahead, in calendar days with room for a Golden Week: a cheap bound for the index.
    latest_due = now + dt.timedelta(days=horizon * 3 + 10)
    issued = {e["level"]: 0 for e in ladder}
    running = Ticket.objects.filter(
        status__in=HANDLING,
        replied_at__isnull=True,
        resolve_due__lte=latest_due,
        clock_started_at__lte=now,
        lead_unit__isnull=False,
    )
    candidates = {pk: due for pk, due in running.values_list("pk", "resolve_due") if due is not None}
    # A subquery rather than a list of ids: no limit on the number of bound parameters (SQLite).
    done = set(
        SupervisionOrder.objects.filter(ticket__in=running.values("pk")).values_list("ticket_id", "level", "due")
    )
    todo: dict[int, list[SupervisionLevel]] = {}
    for pk, due in candidates.items():
        for entry in ladder:
            if (pk, entry["level"], due) not in done and fires(due, entry["offset_days"], now, calendar):
                todo.setdefault(pk, []).append(entry)
    ids = sorted(todo)
    for start in range(0, len(ids), 500):
        chunk = Ticket.objects.filter(pk__in=ids[start : start + 500]).select_related("lead_unit__parent")
        for ticket in chunk.order_by("resolve_due"):
            for entry in todo[ticket.pk]:
                if ticket.resolve_due != candidates[ticket.pk]:
                    break  # the ticket moved since we read it: the next run sees its new deadline
                reason = (
                    _("The resolution deadline is near.")
                    if entry["offset_days"] < 0
                    else _("Overdue by %(n)d working days or more.") % {"n": entry["offset_days"]}
                )
                if issue(
                    ticket, level=entry["level"], due=candidates[ticket.pk], reason=reason, to=entry["to"], now=now
                ):
                    issued[entry["level"]] += 1
    return issued


# Who hears of an order issued by hand, by level: as the default ladder's levels.
BY_HAND: dict[str, list[str]] = {
    OrderLevel.REMINDER: ["unit"],
    OrderLevel.NOTICE: ["unit", "parent"],
    OrderLevel.PUBLIC: ["unit", "parent", "centre"],
}


def order_by_hand(
    ticket: Ticket, *, level: str, note: str, actor: Actor, at: dt.datetime | None = None
) -> SupervisionOrder:
    """A leader or supervisor issues a 催办 (reminder), 督办 (notice) or 通报 (public notice) on a
    ticket, with a note: one order, its event and its messages, as the ladder's.

    Refused (``ValidationError`` or ``TransitionError``, nothing written): an unknown level, no
    note, a ticket no unit has (registered, answered, merged, invalid)."""
    if level not in BY_HAND:
        raise ValidationError({"level": _("Choose reminder, supervision notice or public notice.")})
    note = clean_text(note)
    if not note:
        raise ValidationError({"note": _("Say what the unit must do.")})
    limits.check_lengths(note=(note, limits.NOTE))
    transitions.check(ticket, "supervise")
    if ticket.lead_unit_id is None:
        raise ValidationError({"__all__": _("No unit handles this ticket yet: there is nobody to supervise.")})
    now = at or timezone.now()
    order = issue(ticket, level=level, due=now, reason=note, to=BY_HAND[level], now=now, actor=actor, by_hand=True)
    if order is None:
        raise transitions.TransitionError(
            _("Ticket %(code)s was changed by someone else; reload and try again.") % {"code": ticket.code},
            code="conflict",
        )
    return order


def escalate_dispatch(*, now: dt.datetime | None = None) -> dict[str, int]:
    """派单超时督办: a registered ticket past its dispatch deadline escalates up the same ladder,
    addressed to the centre (its dispatchers are the ones late). A level set before the deadline
    (the reminder) fires at the deadline: until then the queue shows the deadline near."""
    now = now or timezone.now()
    calendar = get_calendar()
    ladder = levels(timezone.localdate(now))
    issued = {e["level"]: 0 for e in ladder}
    centre = Unit.objects.filter(kind=Unit.Kind.CENTRE).first()
    if centre is None:
        return issued
    late = Ticket.objects.filter(status=Status.REGISTERED, dispatch_due__lt=now)
    candidates = {pk: due for pk, due in late.values_list("pk", "dispatch_due") if due is not None}
    done = set(SupervisionOrder.objects.filter(ticket__in=late.values("pk")).values_list("ticket_id", "level", "due"))
    todo: dict[int, list[SupervisionLevel]] = {}
    for pk, due in candidates.items():
        for entry in ladder:
            if (pk, entry["level"], due) not in done and fires(due, max(entry["offset_days"], 0), now, calendar):
                todo.setdefault(pk, []).append(entry)
    ids = sorted(todo)
    reason = _("Not dispatched by its dispatch deadline.")
    for start in range(0, len(ids), 500):
        for ticket in Ticket.objects.filter(pk__in=ids[start : start + 500]).order_by("dispatch_due", "pk"):
            for entry in todo[ticket.pk]:
                due = candidates[ticket.pk]
                if issue(ticket, level=entry["level"], due=due, reason=reason, to=["centre"], now=now, unit=centre):
                    issued[entry["level"]] += 1
    return issued


def repeat_complaints(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Several tickets about one place and matter within the window: supervise the newest open one.

    The place is the address without region names and house number (``places.place_key``), so
    "城东区…东关大街12号" and "东关大街3号" count as one place.
    """
    now = now or timezone.now()
    conf = settings.SUPERVISION
    since = now - dt.timedelta(days=conf["REPEAT_WINDOW_DAYS"])
    rows = (
        Ticket.objects.filter(received_at__gte=since, received_at__lte=now, matter__isnull=False)
        .exclude(address="")
        .exclude(status__in=VOID)
        .values_list("pk", "matter_id", "address", "status", "received_at")
    )
    groups: dict[tuple[int, str], list[tuple]] = {}
    for pk, matter, address, status, received in rows.iterator(chunk_size=5000):
        key = place_key(address)
        if len(key) >= 2:
            groups.setdefault((matter, key), []).append((received, pk, status))
    issued = 0
    for (_matter, place), members in groups.items():
        if len(members) < conf["REPEAT_COUNT"]:
            continue
        open_ones = sorted(m for m in members if m[2] in RUNNING)
        if not open_ones:
            continue
        ticket = Ticket.objects.select_related("lead_unit__parent").get(pk=open_ones[-1][1])
        due = ticket.resolve_due or ticket.received_at
        reason = _("%(n)d complaints about %(place)s and the same matter within %(days)d days.") % {
            "n": len(members),
            "place": place,
            "days": conf["REPEAT_WINDOW_DAYS"],
        }
        if issue(ticket, level=OrderLevel.REPEAT, due=due, reason=reason, to=["unit", "parent"], now=now):
            issued += 1
    return {"repeat": issued}
