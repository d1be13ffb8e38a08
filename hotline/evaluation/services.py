"""评 evaluation: the revisit (回访) closes a ticket or sends it back for a redo (重办)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.orgs.models import Unit
from hotline.policy import services as policy
from hotline.text import clean_text
from hotline.tickets import transitions
from hotline.tickets.models import REPLIED_OR_CLOSED, Status, Ticket

from .models import DISSATISFIED_GRADES, Praise, Revisit, Satisfaction
from .selectors import offered_grades

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor


def record_revisit(
    ticket: Ticket,
    *,
    outcome: str = Revisit.Outcome.VALID,
    contacted: bool | None = None,
    solved: bool | None = None,
    satisfaction: str = "",
    actionable: bool = False,
    note: str = "",
    method: str = Revisit.Method.PHONE,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> Revisit:
    """Record what the citizen said. A valid revisit closes the ticket, or reopens it when the citizen
    is dissatisfied for a reason the unit can act on. An unreachable or refused revisit is kept but
    changes nothing: it is excluded from the rates and the revisit window keeps running.
    """
    if outcome not in (Revisit.Outcome.VALID, Revisit.Outcome.UNREACHABLE, Revisit.Outcome.REFUSED):
        raise ValidationError({"outcome": _("Unknown revisit outcome.")})
    if method not in Revisit.Method.values:
        raise ValidationError({"method": _("Unknown revisit method.")})
    limits.check_lengths(note=((note or "").strip(), limits.NOTE))
    transitions.check(ticket, "revisit")
    if ticket.review_pending:
        raise ValidationError({"__all__": _("The reply waits for its review: the citizen is called back after it.")})
    valid = outcome == Revisit.Outcome.VALID
    now = at or timezone.now()
    _check_answer(valid, contacted, solved, satisfaction, now)
    data = {"outcome": outcome, "contacted": contacted, "solved": solved, "satisfaction": satisfaction}
    with transitions.service_block():
        revisit = Revisit.objects.create(
            ticket=ticket,
            method=method,
            outcome=outcome,
            contacted=contacted if valid else None,
            solved=solved if valid else None,
            satisfaction=satisfaction if valid else "",
            actionable=actionable,
            note=note,
            lead_unit_id=ticket.lead_unit_id,
            recorded_by=actor,
            recorded_at=now,
        )
        if not valid:
            transitions.apply(ticket, "revisit", actor=actor, note=note, data=data, at=now)
        elif satisfaction in DISSATISFIED_GRADES and actionable:
            reopen(ticket, reason=note or _("The citizen is not satisfied."), actor=actor, at=now, data=data)
        else:
            transitions.apply(ticket, "close", actor=actor, note=note, data=data, at=now, changes={"closed_at": now})
    return revisit


def _check_answer(
    valid: bool, contacted: bool | None, solved: bool | None, satisfaction: str, now: dt.datetime
) -> None:
    """A valid revisit answers all three questions, with a grade of the centre's scale then."""
    if not valid:
        return
    if contacted is None or solved is None or satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("A valid revisit answers all three questions.")})
    if satisfaction not in {g for g, _label in offered_grades(policy.in_force_at(now))}:
        raise ValidationError({"satisfaction": _("That grade is not on the centre's satisfaction scale.")})


def _group(ticket: Ticket) -> Ticket | None:
    """The ticket ``ticket`` was merged into, read afresh (its version guards the revisit)."""
    if ticket.merged_into_id is None:
        return None
    return Ticket.objects.filter(pk=ticket.merged_into_id).first()


def requester_revisit_refusal(ticket: Ticket, *, now: dt.datetime | None = None) -> str:
    """Why the requester of merged ticket ``ticket`` cannot be revisited now, or "" when they can:
    the group's ticket (the one it was merged into) has replied, its revisit window is open, and
    this requester has no valid revisit about that reply yet."""
    now = now or timezone.now()
    group = _group(ticket)
    if ticket.status != Status.MERGED or group is None:
        return _("Only the requester of a merged ticket is revisited this way.")
    if group.status not in REPLIED_OR_CLOSED or group.replied_at is None or group.review_pending:
        return _("Ticket %(code)s, which this one was merged into, has no reply yet.") % {"code": group.code}
    if group.revisit_due is not None and now > group.revisit_due:
        return _("The revisit window of ticket %(code)s has passed.") % {"code": group.code}
    if Revisit.objects.filter(
        requester=ticket, outcome=Revisit.Outcome.VALID, recorded_at__gte=group.replied_at
    ).exists():
        return _("This requester has been revisited about this reply already: a revisit counts once.")
    return ""


def record_requester_revisit(
    ticket: Ticket,
    *,
    outcome: str = Revisit.Outcome.VALID,
    contacted: bool | None = None,
    solved: bool | None = None,
    satisfaction: str = "",
    note: str = "",
    method: str = Revisit.Method.PHONE,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> Revisit:
    """并单: the requester of ``ticket`` (merged into another) answers about the reply to the group.

    The revisit is the group ticket's, for this requester (``Revisit.requester``), and counts once
    in the rates of the group's lead unit. It never closes or reopens the group ticket: that is its
    own requester's revisit. Refused (``ValidationError``, nothing written): a ticket not merged,
    a group without a reply, a window passed, a second valid revisit about the same reply.
    """
    if outcome not in (Revisit.Outcome.VALID, Revisit.Outcome.UNREACHABLE, Revisit.Outcome.REFUSED):
        raise ValidationError({"outcome": _("Unknown revisit outcome.")})
    if method not in Revisit.Method.values:
        raise ValidationError({"method": _("Unknown revisit method.")})
    note = (note or "").strip()
    limits.check_lengths(note=(note, limits.NOTE))
    now = at or timezone.now()
    refusal = requester_revisit_refusal(ticket, now=now)
    if refusal:
        raise ValidationError({"__all__": refusal})
    valid = outcome == Revisit.Outcome.VALID
    _check_answer(valid, contacted, solved, satisfaction, now)
    group = _group(ticket)
    assert group is not None  # checked by requester_revisit_refusal
    data = {
        "outcome": outcome,
        "contacted": contacted,
        "solved": solved,
        "satisfaction": satisfaction,
        "requester": ticket.code,
    }
    with transitions.service_block():
        revisit = Revisit.objects.create(
            ticket=group,
            requester=ticket,
            method=method,
            outcome=outcome,
            contacted=contacted if valid else None,
            solved=solved if valid else None,
            satisfaction=satisfaction if valid else "",
            note=note,
            lead_unit_id=group.lead_unit_id,
            recorded_by=actor,
            recorded_at=now,
        )
        # The group ticket's compare-and-set serialises two revisits of one requester: the second
        # finds the first (or loses the race) and writes nothing.
        transitions.apply(group, "requester_revisit", actor=actor, note=note, data=data, at=now)
    return revisit


def reopen(
    ticket: Ticket, *, reason: str, actor: Actor | None = None, at: dt.datetime | None = None, data: dict | None = None
) -> None:
    """重办: back to the same lead unit, which signs again; its clock starts afresh."""
    now = at or timezone.now()
    transitions.apply(
        ticket,
        "reopen",
        actor=actor,
        unit=ticket.lead_unit,
        note=reason,
        at=now,
        data=data or {},
        changes={
            "redo_count": ticket.redo_count + 1,
            "clock_started_at": now,
            "signed_at": None,
            "contacted_at": None,
            "replied_at": None,
            "closed_at": None,
            "extension_days": 0,
            "review_pending": False,
        },
    )


def review_reply(
    ticket: Ticket, *, approve: bool, note: str = "", actor: Actor | None = None, at: dt.datetime | None = None
) -> None:
    """答复审核: a reviewer at the centre passes the reply on to the revisit, or sends it back to the
    unit with a reason: a redo (重办), counted as one."""
    transitions.check(ticket, "review_reply")
    if not ticket.review_pending:
        raise ValidationError({"__all__": _("No reply of this ticket waits for review.")})
    note = clean_text(note)
    limits.check_lengths(note=(note, limits.NOTE))
    now = at or timezone.now()
    if approve:
        transitions.apply(
            ticket,
            "review_reply",
            actor=actor,
            unit=ticket.lead_unit,
            note=note,
            at=now,
            data={"review": "passed"},
            changes={"review_pending": False},
        )
        return
    if not note:
        raise ValidationError({"note": _("Say why the reply is sent back.")})
    reopen(
        ticket,
        reason=_("Reply sent back by the reviewer: %(note)s") % {"note": note},
        actor=actor,
        at=now,
        data={"review": "sent_back"},
    )


def close_after_window(ticket: Ticket, *, at: dt.datetime | None = None) -> None:
    """Close a replied ticket whose revisit window passed without a valid revisit."""
    transitions.apply(
        ticket,
        "close",
        note=_("The revisit window passed."),
        at=at,
        data={"reason": "revisit_window"},
        changes={"closed_at": at or timezone.now()},
    )


def close_expired_revisits(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Close every replied ticket whose revisit window has passed. Idempotent: run it twice and the
    second run finds nothing."""
    now = now or timezone.now()
    closed = 0
    waiting = Ticket.objects.filter(status=Status.REPLIED, revisit_due__lt=now, review_pending=False)
    for ticket in waiting.order_by("revisit_due")[:limit]:
        try:
            close_after_window(ticket, at=now)
        except transitions.TransitionError:
            continue  # someone else closed or reopened it meanwhile
        closed += 1
    return closed


def record_praise(
    unit: Unit,
    *,
    ticket: Ticket | None = None,
    note: str = "",
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> tuple[Praise, bool]:
    """表扬: record a citizen's praise of ``unit``. The same call recorded twice counts once."""
    if unit is None or not unit.is_active:
        raise ValidationError({"unit": _("Praise needs an active unit.")})
    limits.check_lengths(note=((note or "").strip(), limits.NOTE))
    now = at or timezone.now()
    if ticket is not None:
        existing = Praise.objects.filter(ticket=ticket, unit=unit).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            return (
                Praise.objects.create(
                    unit=unit, ticket=ticket, note=(note or "").strip(), recorded_by=actor, recorded_at=now
                ),
                True,
            )
    except IntegrityError:
        return Praise.objects.get(ticket=ticket, unit=unit), False
