"""Transfers both ways. A transfer out ends the ticket here (``transfer_out``) and waits for the
other side's receipt within the agency's minutes; a transfer in registers a ticket with the
other side's case number and owes them feedback within the agency's hours. Receipts and
feedback land on the ticket as events, so its timeline tells the whole story."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.intake.services import register_ticket
from hotline.orgs import places
from hotline.outbox.delivery import enqueue
from hotline.text import clean_text
from hotline.tickets import transitions
from hotline.tickets.models import Ticket
from hotline.tickets.transitions import TransitionError

from .models import Agency, Direction, LinkageMatter, Transfer

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor


def transfer_out(
    ticket: Ticket,
    *,
    agency: Agency,
    reason: str,
    matter: LinkageMatter | None = None,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> Transfer:
    """转办: hand the ticket to ``agency`` with a reason; its receipt is due in the agency's minutes."""
    transitions.check(ticket, "transfer_out")
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the request goes to %(agency)s.") % {"agency": agency.name}})
    limits.check_lengths(reason=(reason, limits.NOTE))
    if not agency.is_active:
        raise ValidationError({"agency": _("%(agency)s takes no transfers now.") % {"agency": agency.name}})
    if matter is not None and (matter.agency_id != agency.pk or matter.direction != Direction.OUT):
        raise ValidationError({"matter": _("This matter is not on the list for %(agency)s.") % {"agency": agency.name}})
    now = at or timezone.now()
    result = _("Transferred to %(agency)s: %(reason)s") % {"agency": agency.name, "reason": reason}
    with transitions.service_block():
        transfer = Transfer.objects.create(
            ticket=ticket,
            agency=agency,
            direction=Direction.OUT,
            matter=matter,
            reason=reason,
            sent_at=now,
            due_at=now + dt.timedelta(minutes=agency.receipt_minutes),
            created_by=actor,
        )
        transitions.apply(
            ticket,
            "transfer_out",
            actor=actor,
            note=reason,
            at=now,
            data={"agency": agency.code, "transfer": transfer.pk},
            changes={"result": result[: limits.RESULT], "closed_at": now},
        )
    return transfer


def forward_outside(ticket: Ticket, *, actor: Actor | None = None, at: dt.datetime | None = None) -> Transfer:
    """A request about a place in another city goes to that city's 12345 centre (or the national
    platform, which forwards to any city), and the citizen is told where it went."""
    place = places.resolve(ticket.address).outside if ticket.address else ""
    if not place:
        raise ValidationError({"address": _("The address is not in another city.")})
    agency = centre_for(place)
    if agency is None:
        raise ValidationError({"address": _("No centre takes requests for %(place)s.") % {"place": place}})
    transfer = transfer_out(
        ticket,
        agency=agency,
        reason=_("The place is in %(place)s, outside this hotline's area.") % {"place": place},
        actor=actor,
        at=at,
    )
    if ticket.requester_phone and not ticket.anonymous:
        enqueue(
            key=f"forwarded:{ticket.code}",
            address=ticket.requester_phone,
            ticket=ticket,
            body=_(
                "[12345] Your request %(code)s is about %(place)s; we forwarded it to %(agency)s, which will handle it."
            )
            % {"code": ticket.code, "place": place, "agency": agency.name},
            at=at,
        )
    return transfer


def register_and_forward(
    *, idempotency_key: str = "", actor: Actor | None = None, **fields: Any
) -> tuple[Ticket, bool]:
    """The console's "forward to the other city": register the call (its address in another city)
    and forward it at once, in one block; the same console key gives the same ticket."""
    key = (idempotency_key or "").strip()[:64]
    with transitions.service_block():
        ticket, new = register_ticket(
            **fields, external_id=f"console-{key}" if key else None, actor=actor, outside_ok=True
        )
        if new:
            forward_outside(ticket, actor=actor)
    return ticket, new


def centre_for(place: str) -> Agency | None:
    """The centre of the city named ``place``, else the national platform (an empty place)."""
    centres = Agency.objects.filter(kind=Agency.Kind.CITY, is_active=True)
    return centres.filter(place=place).first() or centres.filter(place="").first()


def _note(transfer: Transfer, what: str, text: str, at: dt.datetime, data: dict[str, Any]) -> None:
    transitions.apply(
        transfer.ticket,
        "note",
        note=f"{transfer.agency.name}{what}：{text}"[: limits.NOTE],
        at=at,
        data={"transfer": transfer.pk, **data},
    )


def record_receipt(transfer: Transfer, *, their_ref: str, at: dt.datetime | None = None) -> None:
    """The other side took the transfer and gave its reference (110's case number)."""
    their_ref = clean_text(their_ref)
    if not their_ref or len(their_ref) > 64:
        raise ValidationError({"their_ref": _("Give the reference, at most 64 characters.")})
    if transfer.direction != Direction.OUT:
        raise TransitionError(_("Only a transfer out gets a receipt."), code="direction")
    if transfer.received_at is not None:
        if transfer.their_ref == their_ref:
            return  # the same receipt again
        raise TransitionError(_("This transfer was received already."), code="received")
    now = at or timezone.now()
    with transitions.service_block():
        updated = Transfer.objects.filter(pk=transfer.pk, received_at=None).update(received_at=now, their_ref=their_ref)
        if not updated:
            raise TransitionError(_("This transfer was received already."), code="received")
        transfer.received_at, transfer.their_ref = now, their_ref
        _note(transfer, _(" received it"), their_ref, now, {"receipt": their_ref})


def record_feedback(transfer: Transfer, *, text: str, at: dt.datetime | None = None) -> None:
    """The other side reports what it did (a transfer out), noted on the ticket."""
    text = clean_text(text)
    if not text:
        raise ValidationError({"feedback": _("The feedback is empty.")})
    limits.check_lengths(feedback=(text, limits.RESULT))
    if transfer.direction != Direction.OUT:
        raise TransitionError(_("Feedback on an inbound case is the ticket's own reply."), code="direction")
    now = at or timezone.now()
    with transitions.service_block():
        Transfer.objects.filter(pk=transfer.pk).update(
            feedback=text, feedback_at=now, received_at=transfer.received_at or now
        )
        transfer.feedback, transfer.feedback_at = text, now
        transfer.received_at = transfer.received_at or now
        _note(transfer, _(" fed back"), text, now, {"feedback": True})


def receive_in(
    agency: Agency,
    *,
    case_number: str,
    content: str,
    address: str = "",
    requester_name: str = "",
    requester_phone: str = "",
    matter: LinkageMatter | None = None,
    received_at: dt.datetime | None = None,
) -> tuple[Transfer, bool]:
    """A non-police matter 110 (or 119…) sends us: a ticket with its case number, once, and our
    feedback due within the agency's hours. Returns the transfer and whether it is new."""
    case_number = clean_text(case_number)
    if not case_number or len(case_number) > 64:
        raise ValidationError({"case_number": _("Give the case number, at most 64 characters.")})
    if agency.channel_id is None:
        raise ValidationError({"agency": _("%(agency)s has no intake channel.") % {"agency": agency.name}})
    if matter is not None and (matter.agency_id != agency.pk or matter.direction != Direction.IN):
        raise ValidationError({"matter": _("This matter is not on the list for %(agency)s.") % {"agency": agency.name}})
    existing = Transfer.objects.filter(agency=agency, direction=Direction.IN, their_ref=case_number).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    with transaction.atomic():
        ticket, created = register_ticket(
            channel=agency.channel_id,
            content=content,
            address=address,
            requester_name=requester_name,
            requester_phone=requester_phone,
            anonymous=not requester_phone,
            external_id=case_number,
            received_at=received_at,
        )
        try:
            with transaction.atomic():
                transfer = Transfer.objects.create(
                    ticket=ticket,
                    agency=agency,
                    direction=Direction.IN,
                    matter=matter,
                    their_ref=case_number,
                    sent_at=received_at or now,
                    due_at=(received_at or now) + dt.timedelta(hours=agency.feedback_hours),
                )
        except IntegrityError:
            return Transfer.objects.get(agency=agency, direction=Direction.IN, their_ref=case_number), False
    return transfer, created
