"""办 handling: the unit signs, contacts the citizen, asks for more time, replies or returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.handling import attachments as attachment_store
from hotline.orgs.models import Unit
from hotline.tickets import transitions
from hotline.tickets.models import Assignment, Extension, Ticket
from hotline.tickets.transitions import TransitionError


def _require_lead(ticket: Ticket, unit: Unit) -> None:
    if ticket.lead_unit_id != unit.pk:
        raise TransitionError(
            _("%(unit)s is not the lead unit of %(code)s.") % {"unit": unit, "code": ticket.code},
            code="not_lead",
        )


def _lead_assignment(ticket: Ticket):
    return Assignment.objects.filter(
        ticket=ticket, unit_id=ticket.lead_unit_id, role=Assignment.Role.LEAD, state=Assignment.State.ACTIVE
    )


def withdraw_pending_extensions(ticket: Ticket, *, at: dt.datetime) -> dict[str, bool]:
    """An extension asked for in one handling cycle dies with it: on reply, return, re-dispatch or
    reopening, a request still waiting for the centre is withdrawn. Returns the ticket changes to
    pass to the same transition."""
    if not ticket.extension_pending:
        return {}
    Extension.objects.filter(ticket=ticket, state=Extension.State.PENDING).update(
        state=Extension.State.WITHDRAWN, decided_at=at
    )
    return {"extension_pending": False}


def sign(ticket: Ticket, *, unit: Unit, actor=None, at: dt.datetime | None = None) -> None:
    """签收: the lead unit takes the ticket on."""
    _require_lead(ticket, unit)
    transitions.check(ticket, "sign")
    now = at or timezone.now()
    with transitions.service_block():
        transitions.apply(ticket, "sign", actor=actor, unit=unit, at=now, changes={"signed_at": now})
        _lead_assignment(ticket).update(signed_at=now)


def return_ticket(ticket: Ticket, *, unit: Unit, reason: str, actor=None, at: dt.datetime | None = None) -> None:
    """退单: the unit says the ticket is not theirs, with a reason, inside its return window.

    首接单位负责制: once the centre has dispatched a ticket the maximum number of times, the unit it
    named keeps it; no further return is allowed.
    """
    _require_lead(ticket, unit)
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
    with transitions.service_block():
        withdrawn = withdraw_pending_extensions(ticket, at=now)
        transitions.apply(
            ticket,
            "return",
            actor=actor,
            unit=unit,
            note=reason,
            at=now,
            changes={"return_count": ticket.return_count + 1, **withdrawn},
        )
        _lead_assignment(ticket).update(state=Assignment.State.RETURNED)


def record_contact(ticket: Ticket, *, unit: Unit, note: str = "", actor=None, at: dt.datetime | None = None) -> None:
    """响应: the unit reached the citizen. The first contact stops the contact clock."""
    _require_lead(ticket, unit)
    limits.check_lengths(note=((note or "").strip(), limits.NOTE))
    now = at or timezone.now()
    changes = {} if ticket.contacted_at else {"contacted_at": now}
    transitions.apply(ticket, "contact", actor=actor, unit=unit, note=note, at=now, changes=changes)


def extension_cutoff(due: dt.datetime) -> dt.datetime:
    """The last moment an extension may be asked for: the daily cut-off (17:00 in Xining) on the
    deadline's local day, or the deadline itself when it falls earlier that day."""
    hour, minute = (int(part) for part in settings.HOTLINE["EXTENSION_CUTOFF"].split(":"))
    local_due = timezone.localtime(due)
    cutoff = local_due.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return min(cutoff, local_due)


def request_extension(
    ticket: Ticket, *, unit: Unit, days: int, reason: str, actor=None, at: dt.datetime | None = None
) -> Extension:
    """延期申请: asked before the resolution deadline and before the daily cut-off (17:00) of the
    deadline's day, decided by the centre. A late request is refused and changes nothing: the
    deadline stands, and the ticket turns overdue when it passes."""
    _require_lead(ticket, unit)
    transitions.check(ticket, "request_extension")
    now = at or timezone.now()
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("An extension needs a reason.")})
    limits.check_lengths(reason=(reason.strip(), limits.NOTE))
    if not 1 <= days <= 30:
        raise ValidationError({"days": _("An extension is between 1 and 30 working days.")})
    if ticket.resolve_due is not None and now > ticket.resolve_due:
        raise TransitionError(_("The deadline has passed; an extension can no longer be requested."), code="late")
    if ticket.resolve_due is not None and now >= extension_cutoff(ticket.resolve_due):
        cutoff = extension_cutoff(ticket.resolve_due).strftime("%Y-%m-%d %H:%M")
        raise TransitionError(
            _("Extension requests for this ticket closed at %(cutoff)s; the deadline stands.") % {"cutoff": cutoff},
            code="late",
        )
    if ticket.extension_pending:
        raise TransitionError(_("An extension request is already waiting for a decision."), code="pending")
    with transitions.service_block():
        extension = Extension.objects.create(
            ticket=ticket, unit=unit, days=days, reason=reason.strip(), requested_at=now
        )
        transitions.apply(
            ticket,
            "request_extension",
            actor=actor,
            unit=unit,
            note=reason.strip(),
            at=now,
            data={"days": days, "extension": extension.pk},
            changes={"extension_pending": True},
        )
    return extension


def decide_extension(
    extension: Extension, *, approve: bool, note: str = "", actor=None, at: dt.datetime | None = None
) -> None:
    """The centre approves (the resolution deadline moves) or refuses an extension."""
    if extension.state != Extension.State.PENDING:
        raise TransitionError(_("This extension request has already been decided."), code="decided")
    limits.check_lengths(note=((note or "").strip(), limits.NOTE))
    ticket = extension.ticket
    now = at or timezone.now()
    transitions.check(ticket, "approve_extension")
    with transitions.service_block():
        # Claim the request with a compare-and-set; a second decision finds it taken and writes nothing.
        claimed = Extension.objects.filter(pk=extension.pk, state=Extension.State.PENDING).update(
            state=Extension.State.APPROVED if approve else Extension.State.REFUSED,
            decided_at=now,
        )
        if claimed:
            changes: dict = {"extension_pending": False}
            if approve:
                changes["extension_days"] = ticket.extension_days + extension.days
            transitions.apply(
                ticket,
                "approve_extension" if approve else "refuse_extension",
                actor=actor,
                unit=extension.unit,
                note=note,
                at=now,
                changes=changes,
                data={"days": extension.days, "extension": extension.pk},
            )
    if not claimed:
        raise TransitionError(_("This extension request has already been decided."), code="decided")
    extension.state = Extension.State.APPROVED if approve else Extension.State.REFUSED
    extension.decided_at = now


def reply(
    ticket: Ticket,
    *,
    unit: Unit,
    result: str,
    attachments: Sequence[UploadedFile] = (),
    actor=None,
    at: dt.datetime | None = None,
) -> None:
    """办结答复: the lead unit reports what it did, with photos or documents; the ticket waits for
    the revisit. A refused file refuses the whole reply."""
    _require_lead(ticket, unit)
    transitions.check(ticket, "reply")
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": _("The reply is empty.")})
    limits.check_lengths(result=(result, limits.RESULT))
    files = attachment_store.check(attachments)
    now = at or timezone.now()
    with transitions.service_block():
        attachment_store.store(ticket, unit, files, actor=actor)
        withdrawn = withdraw_pending_extensions(ticket, at=now)
        transitions.apply(
            ticket,
            "reply",
            actor=actor,
            unit=unit,
            note=result,
            at=now,
            changes={"replied_at": now, "result": result, **withdrawn},
            data={"attachments": len(files)} if files else None,
        )
        _lead_assignment(ticket).update(state=Assignment.State.REPLIED, replied_at=now, reply=result)


def co_reply(ticket: Ticket, *, unit: Unit, text: str, actor=None, at: dt.datetime | None = None) -> None:
    """A co-unit's own reply on its part of the task."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The reply is empty.")})
    limits.check_lengths(text=(text, limits.RESULT))
    transitions.check(ticket, "co_reply")
    now = at or timezone.now()
    with transitions.service_block():
        updated = Assignment.objects.filter(
            ticket=ticket,
            unit=unit,
            role=Assignment.Role.CO,
            state=Assignment.State.ACTIVE,
        ).update(state=Assignment.State.REPLIED, replied_at=now, reply=text)
        if updated:
            transitions.apply(ticket, "co_reply", actor=actor, unit=unit, note=text, at=now)
    if not updated:
        raise TransitionError(
            _("%(unit)s has no open co-handling task on this ticket.") % {"unit": unit}, code="not_co"
        )
