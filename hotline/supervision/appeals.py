"""申诉 appeals: a unit contests a revisit result, a dispatch, or a spot-check finding; a reviewer
at the centre accepts or rejects it. Every step is an event on the ticket.

Accepted: a revisit leaves the rates (outcome "withdrawn on appeal"); a dispatch is taken back
and the ticket waits in the dispatcher's queue to be dispatched again; a spot-check finding is
withdrawn (its accountability record goes, the revisits it voided count again).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.evaluation.models import Revisit
from hotline.policy import services as policy
from hotline.text import clean_text
from hotline.tickets import transitions
from hotline.tickets.models import HANDLING, Assignment, Ticket
from hotline.workcal.services import get_calendar

from .models import Accountability, Appeal, SpotCheck

if TYPE_CHECKING:
    from hotline.orgs.models import Unit
    from hotline.orgs.permissions import Actor


def _window_start(
    kind: str, ticket: Ticket, unit: Unit, revisit: Revisit | None, check: SpotCheck | None
) -> dt.datetime:
    """When the contested thing happened: the window is counted from it."""
    if kind == Appeal.Kind.REVISIT:
        if revisit is None or revisit.ticket_id != ticket.pk or revisit.lead_unit_id != unit.pk:
            raise ValidationError({"revisit": _("Choose a revisit of your unit on this ticket.")})
        if revisit.outcome != Revisit.Outcome.VALID:
            raise ValidationError({"revisit": _("Only a revisit that counts can be appealed.")})
        return revisit.recorded_at
    if kind == Appeal.Kind.DISPATCH:
        task = (
            Assignment.objects.filter(
                ticket=ticket, unit=unit, role=Assignment.Role.LEAD, state=Assignment.State.ACTIVE
            )
            .order_by("-id")
            .first()
        )
        if task is None or ticket.status not in HANDLING:
            raise ValidationError({"__all__": _("Only a dispatch your unit is handling can be appealed.")})
        return task.dispatched_at
    if kind == Appeal.Kind.SPOT_CHECK:
        if check is None or check.ticket_id != ticket.pk or check.unit_id != unit.pk or not check.finding:
            raise ValidationError({"spot_check": _("Choose a spot-check finding against your unit on this ticket.")})
        if check.finding == SpotCheck.Finding.TRUE:
            raise ValidationError({"spot_check": _("A finding in your favour needs no appeal.")})
        assert check.checked_at is not None  # a finding has its time
        return check.checked_at
    raise ValidationError({"kind": _("Appeal a revisit, a dispatch or a spot-check finding.")})


def file_appeal(
    ticket: Ticket,
    *,
    unit: Unit,
    kind: str,
    reason: str,
    revisit: Revisit | None = None,
    spot_check: SpotCheck | None = None,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> Appeal:
    """File an appeal. Refused, nothing written: no reason, a thing that is not the unit's or does
    not count, after the window (the policy's working days from the thing contested), a second
    pending appeal of the same kind on the ticket."""
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason and the evidence.")})
    limits.check_lengths(reason=(reason, limits.NOTE))
    now = at or timezone.now()
    start = _window_start(kind, ticket, unit, revisit, spot_check)
    days = policy.in_force_at(now).appeal_working_days
    ends, _provisional = get_calendar().add_working_days(start, days)
    if now > ends:
        raise ValidationError(
            {
                "__all__": _("The appeal window closed at %(end)s.")
                % {"end": f"{timezone.localtime(ends):%Y-%m-%d %H:%M}"}
            }
        )
    try:
        with transitions.service_block():
            appeal = Appeal.objects.create(
                ticket=ticket,
                unit=unit,
                kind=kind,
                revisit=revisit if kind == Appeal.Kind.REVISIT else None,
                spot_check=spot_check if kind == Appeal.Kind.SPOT_CHECK else None,
                reason=reason,
                filed_at=now,
                filed_by=actor,
            )
            transitions.apply(
                ticket, "appeal", actor=actor, unit=unit, note=reason, at=now, data={"appeal": appeal.pk, "kind": kind}
            )
    except IntegrityError:
        raise ValidationError({"__all__": _("An appeal of this kind on this ticket is already waiting.")}) from None
    return appeal


def decide_appeal(
    appeal: Appeal, *, accept: bool, note: str, actor: Actor | None = None, at: dt.datetime | None = None
) -> Appeal:
    """Accept or reject, always with a reason. Refused: no reason, an appeal decided already."""
    note = clean_text(note)
    if not note:
        raise ValidationError({"note": _("Give the reason for the decision.")})
    limits.check_lengths(note=(note, limits.NOTE))
    now = at or timezone.now()
    ticket = Ticket.objects.select_related("lead_unit").get(pk=appeal.ticket_id)
    state = Appeal.State.ACCEPTED if accept else Appeal.State.REJECTED
    data = {"appeal": appeal.pk, "kind": appeal.kind, "accepted": accept}
    with transitions.service_block():
        if not Appeal.objects.filter(pk=appeal.pk, state=Appeal.State.PENDING).update(
            state=state, decided_at=now, decided_by=actor, decision_note=note
        ):
            raise transitions.TransitionError(_("This appeal has already been decided."), code="decided")
        if accept and appeal.kind == Appeal.Kind.DISPATCH:
            # Taken back: the ticket waits for the centre to dispatch it again.
            transitions.apply(ticket, "withdraw_dispatch", actor=actor, unit=appeal.unit, note=note, at=now, data=data)
        else:
            transitions.apply(ticket, "decide_appeal", actor=actor, unit=appeal.unit, note=note, at=now, data=data)
        if accept and appeal.kind == Appeal.Kind.REVISIT and appeal.revisit_id is not None:
            Revisit.objects.filter(pk=appeal.revisit_id).update(outcome=Revisit.Outcome.APPEALED)
        if accept and appeal.kind == Appeal.Kind.SPOT_CHECK and appeal.spot_check_id is not None:
            check = SpotCheck.objects.get(pk=appeal.spot_check_id)
            Accountability.objects.filter(spot_check=check).delete()
            if check.checked_at is not None:
                Revisit.objects.filter(
                    ticket=ticket, outcome=Revisit.Outcome.VOIDED, recorded_at__lte=check.checked_at
                ).update(outcome=Revisit.Outcome.VALID)
    appeal.refresh_from_db()
    return appeal
