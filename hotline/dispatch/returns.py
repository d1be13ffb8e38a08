"""退单 returns: the unit sends a ticket back with a reason, and the centre accepts the return (and
re-dispatches, ``services.dispatch_ticket``) or refuses it (``refuse_return``).

首接单位负责制: a unit may return a ticket only inside its return window, and not at all once the
centre has dispatched it the maximum number of times; the unit it named keeps it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.orgs.models import Unit
from hotline.tickets import transitions
from hotline.tickets.models import Ticket
from hotline.tickets.transitions import TransitionError

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor


def return_ticket(
    ticket: Ticket,
    *,
    unit: Unit,
    reason: str,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> None:
    """退单: the lead unit says the ticket is not theirs, with a reason, inside its return window."""
    transitions.require_lead(ticket, unit)
    transitions.check(ticket, "return")
    now = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("A return needs a reason.")})
    limits.check_lengths(reason=(reason, limits.NOTE))
    if ticket.dispatch_count >= settings.HOTLINE["MAX_DISPATCHES"]:
        raise TransitionError(
            _("This ticket has been dispatched %(n)d times; the centre has named the unit and it may not be returned.")
            % {"n": ticket.dispatch_count},
            code="first_receiver",
        )
    if ticket.return_due is not None and now > ticket.return_due:
        due = timezone.localtime(ticket.return_due).strftime("%Y-%m-%d %H:%M")
        raise TransitionError(_("The return window ended at %(due)s.") % {"due": due}, code="return_window")
    transitions.apply(
        ticket, "return", actor=actor, unit=unit, note=reason, at=now, changes={"return_count": ticket.return_count + 1}
    )


def refuse_return(ticket: Ticket, *, note: str, actor: Actor | None = None, at: dt.datetime | None = None) -> None:
    """The centre does not accept the unit's return: the ticket goes back to the same unit.

    The unit's clock keeps running from the original dispatch; a return does not buy time.
    """
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the return is not accepted.")})
    limits.check_lengths(note=(note.strip(), limits.NOTE))
    transitions.apply(
        ticket, "refuse_return", actor=actor, unit=ticket.lead_unit, note=note, at=at, changes={"signed_at": None}
    )
