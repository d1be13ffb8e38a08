"""派 dispatch: send a ticket to its lead unit and co-units; review a unit's return."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.catalog.models import Matter
from hotline.handling.services import withdraw_pending_extensions
from hotline.intake.services import tier_for
from hotline.orgs.models import Unit
from hotline.tickets import transitions
from hotline.tickets.models import Assignment, Ticket


def dispatch_ticket(
    ticket: Ticket,
    *,
    lead_unit: Unit,
    co_units: Sequence[Unit] = (),
    matter: Matter | None = None,
    actor=None,
    note: str = "",
    at: dt.datetime | None = None,
) -> None:
    """Send the ticket to a lead unit (主办) and co-units (协办); the unit's clock starts now."""
    transitions.check(ticket, "dispatch")  # before any block: a refused move leaves no trace
    matter = matter or ticket.matter
    errors: dict[str, str] = {}
    if lead_unit.kind == Unit.Kind.CENTRE or not lead_unit.is_active:
        errors["lead_unit"] = _("%(unit)s cannot lead a ticket.") % {"unit": lead_unit}
    if any(u.pk == lead_unit.pk for u in co_units):
        errors["co_units"] = _("The lead unit cannot also be a co-unit.")
    if len({u.pk for u in co_units}) != len(co_units):
        errors["co_units"] = _("A co-unit is listed twice.")
    if matter is not None and not matter.is_leaf:
        errors["matter"] = _("Choose a matter at the lowest level of the catalogue.")
    if errors:
        raise ValidationError(errors)
    now = at or timezone.now()
    with transitions.service_block():
        withdrawn = withdraw_pending_extensions(ticket, at=now)
        transitions.apply(
            ticket,
            "dispatch",
            actor=actor,
            unit=lead_unit,
            note=note,
            at=now,
            data={"lead": lead_unit.code, "co": [u.code for u in co_units], "matter": matter.code if matter else None},
            changes={
                "lead_unit": lead_unit,
                "matter": matter,
                "tier": tier_for(matter, ticket.urgency),
                "dispatched_at": now,
                "clock_started_at": now,
                "signed_at": None,
                "contacted_at": None,
                "dispatch_count": ticket.dispatch_count + 1,
                "extension_days": 0,  # a new unit starts a fresh clock; extensions belonged to the last
                **withdrawn,
            },
        )
        if ticket.dispatch_count > 1:  # a re-dispatch: the previous units' tasks end here
            Assignment.objects.filter(ticket=ticket, state=Assignment.State.ACTIVE).update(
                state=Assignment.State.WITHDRAWN,
            )
        Assignment.objects.bulk_create(
            [Assignment(ticket=ticket, unit=lead_unit, role=Assignment.Role.LEAD, dispatched_at=now, task=note)]
            + [Assignment(ticket=ticket, unit=u, role=Assignment.Role.CO, dispatched_at=now) for u in co_units]
        )


def refuse_return(ticket: Ticket, *, note: str, actor=None, at: dt.datetime | None = None) -> None:
    """The centre does not accept the unit's return: the ticket goes back to the same unit.

    The unit's clock keeps running from the original dispatch; a return does not buy time.
    """
    if not note.strip():
        raise ValidationError({"note": _("Say why the return is not accepted.")})
    transitions.check(ticket, "refuse_return")
    with transitions.service_block():
        transitions.apply(
            ticket, "refuse_return", actor=actor, unit=ticket.lead_unit, note=note, at=at, changes={"signed_at": None}
        )
        last = ticket.assignments.filter(role=Assignment.Role.LEAD, unit=ticket.lead_unit).order_by("-id").first()
        if last is not None:
            Assignment.objects.filter(pk=last.pk).update(state=Assignment.State.ACTIVE)
