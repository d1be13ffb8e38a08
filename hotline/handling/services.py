"""办 handling: the lead unit signs, contacts the citizen, asks for more time and replies; co-units
reply on their part. A return (退单) is dispatch's business: ``hotline.dispatch.returns``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.handling import attachments as attachment_store
from hotline.orgs.models import Unit
from hotline.policy import services as policy
from hotline.text import clean_text
from hotline.tickets import transitions
from hotline.tickets.models import Extension, Kind, ReplyClass, Ticket, Urgency
from hotline.tickets.transitions import TransitionError

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor


def sign(ticket: Ticket, *, unit: Unit, actor: Actor | None = None, at: dt.datetime | None = None) -> None:
    """签收: the lead unit takes the ticket on."""
    transitions.require_lead(ticket, unit)
    transitions.check(ticket, "sign")
    now = at or timezone.now()
    transitions.apply(ticket, "sign", actor=actor, unit=unit, at=now, changes={"signed_at": now})


def record_contact(
    ticket: Ticket, *, unit: Unit, note: str, actor: Actor | None = None, at: dt.datetime | None = None
) -> None:
    """响应: the unit reached the citizen. The first contact stops the contact clock.

    The note is required: a contact that says nothing (who was reached, how, what was agreed) is
    no evidence of a response, and the response rate is built on it."""
    transitions.require_lead(ticket, unit)
    note = clean_text(note)
    if not note:
        raise ValidationError({"note": _("Say how the citizen was reached and what was agreed.")})
    limits.check_lengths(note=(note, limits.NOTE))
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


def extensions_granted(ticket: Ticket) -> int:
    """Extensions approved in the ticket's current handling cycle (since its last dispatch or
    reopening): what the cap counts."""
    approved = Extension.objects.filter(ticket=ticket, state=Extension.State.APPROVED)
    if ticket.clock_started_at is not None:
        approved = approved.filter(requested_at__gte=ticket.clock_started_at)
    return approved.count()


def request_extension(
    ticket: Ticket, *, unit: Unit, days: int, reason: str, actor: Actor | None = None, at: dt.datetime | None = None
) -> Extension:
    """延期申请: asked before the resolution deadline and before the daily cut-off (17:00) of the
    deadline's day, decided by the centre. A late request is refused and changes nothing: the
    deadline stands, and the ticket turns overdue when it passes."""
    transitions.require_lead(ticket, unit)
    transitions.check(ticket, "request_extension")
    now = at or timezone.now()
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("An extension needs a reason.")})
    limits.check_lengths(reason=(reason.strip(), limits.NOTE))
    rules = policy.in_force_at(now)
    if not 1 <= days <= rules.extension_max_days:
        raise ValidationError(
            {"days": _("An extension is between 1 and %(n)d working days.") % {"n": rules.extension_max_days}}
        )
    granted = extensions_granted(ticket)
    if granted >= rules.extension_max_count:
        raise TransitionError(
            _("This ticket has had %(n)d extensions, the most allowed; the deadline stands.") % {"n": granted},
            code="cap",
        )
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
    extension = Extension(unit=unit, days=days, reason=reason.strip(), requested_at=now)
    transitions.apply(
        ticket,
        "request_extension",
        actor=actor,
        unit=unit,
        note=reason.strip(),
        at=now,
        data={"days": days},
        extension=extension,
    )
    return extension


def decide_extension(
    extension: Extension, *, approve: bool, note: str = "", actor: Actor | None = None, at: dt.datetime | None = None
) -> None:
    """The centre approves (the resolution deadline moves) or refuses an extension."""
    if extension.state != Extension.State.PENDING:
        raise TransitionError(_("This extension request has already been decided."), code="decided")
    limits.check_lengths(note=((note or "").strip(), limits.NOTE))
    ticket = extension.ticket
    transitions.apply(
        ticket,
        "approve_extension" if approve else "refuse_extension",
        actor=actor,
        unit=extension.unit,
        note=note,
        at=at or timezone.now(),
        data={"days": extension.days},
        extension=extension,
    )


def grant_long_cycle(
    ticket: Ticket, *, days: int, note: str, actor: Actor | None = None, at: dt.datetime | None = None
) -> None:
    """长周期: the centre classes a matter as long-running. Its resolution deadline becomes ``days``
    calendar days from the dispatch (at most the policy's limit), and the unit owes a progress
    update every N working days (the policy's), starting now. A second grant may lengthen it, never
    beyond the limit."""
    transitions.check(ticket, "long_cycle")
    note = clean_text(note)
    if not note:
        raise ValidationError({"note": _("Say why the matter needs a long time.")})
    limits.check_lengths(note=(note, limits.NOTE))
    now = at or timezone.now()
    rules = policy.in_force_at(now)
    if not 1 <= days <= rules.long_cycle_max_days:
        raise ValidationError(
            {"days": _("A long-running matter is resolved within 1 to %(n)d days.") % {"n": rules.long_cycle_max_days}}
        )
    start = ticket.clock_started_at or now
    until = start + dt.timedelta(days=days)
    if until <= now:
        raise ValidationError({"days": _("That deadline has already passed.")})
    if ticket.long_cycle_until is not None and until < ticket.long_cycle_until:
        raise ValidationError({"days": _("A long-running matter's deadline is never shortened.")})
    transitions.apply(
        ticket,
        "long_cycle",
        actor=actor,
        unit=ticket.lead_unit,
        note=note,
        at=now,
        data={"days": days, "every": rules.progress_every_days},
        changes={
            "long_cycle_until": until,
            "progress_every": rules.progress_every_days,
            "progress_at": ticket.progress_at or now,
        },
    )


def record_progress(
    ticket: Ticket, *, unit: Unit, note: str, actor: Actor | None = None, at: dt.datetime | None = None
) -> None:
    """阶段性进展: the lead unit's progress update on a long-running matter; the next is due N
    working days later."""
    transitions.require_lead(ticket, unit)
    transitions.check(ticket, "progress")
    if ticket.long_cycle_until is None:
        raise TransitionError(_("Only a long-running matter keeps a progress ledger."), code="not_long")
    note = clean_text(note)
    if not note:
        raise ValidationError({"note": _("Say what has been done since the last update.")})
    limits.check_lengths(note=(note, limits.NOTE))
    now = at or timezone.now()
    transitions.apply(ticket, "progress", actor=actor, unit=unit, note=note, at=now, changes={"progress_at": now})


def needs_review(ticket: Ticket, reply_class: str, now: dt.datetime) -> bool:
    """Whether a reviewer checks this reply before the revisit, by the policy in force: none, all,
    or the risky ones (a class other than resolved, a redo, an urgent or emergency request, a
    complaint, an extended or late reply)."""
    mode = policy.in_force_at(now).reply_review
    if mode == "all":
        return True
    if mode != "risk":
        return False
    late = ticket.resolve_due is not None and now > ticket.resolve_due
    return (
        reply_class != ReplyClass.RESOLVED
        or ticket.redo_count > 0
        or ticket.urgency != Urgency.NORMAL
        or ticket.kind == Kind.COMPLAINT
        or ticket.extension_days > 0
        or late
    )


def check_class(reply_class: str, evidence: str) -> str:
    """A reply's class and its evidence, checked (a class other than resolved needs evidence);
    returns the cleaned evidence. The unit manager's review checks a held reply the same way."""
    if reply_class not in ReplyClass.values:
        raise ValidationError({"reply_class": _("Unknown reply class.")})
    evidence = clean_text(evidence)
    if reply_class != ReplyClass.RESOLVED and not evidence:
        raise ValidationError({"evidence": _("Say on what law, policy or fact the class rests.")})
    limits.check_lengths(evidence=(evidence, limits.NOTE))
    return evidence


def reply(
    ticket: Ticket,
    *,
    unit: Unit,
    result: str,
    attachments: Sequence[UploadedFile] = (),
    reply_class: str = ReplyClass.RESOLVED,
    evidence: str = "",
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> None:
    """办结答复: the lead unit reports what it did, with photos or documents, and classes its reply
    (resolved, explained according to law, unreasonable demand, outside the remit, the legal
    route); a class other than resolved needs its evidence. The ticket waits for the revisit, and
    the centre decides the class. A refused file refuses the whole reply."""
    transitions.require_lead(ticket, unit)
    transitions.check(ticket, "reply")
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": _("The reply is empty.")})
    limits.check_lengths(result=(result, limits.RESULT))
    evidence = check_class(reply_class, evidence)
    files = attachment_store.check(attachments)
    now = at or timezone.now()
    with transitions.service_block():
        attachment_store.store(ticket, unit, files, actor=actor)
        transitions.apply(
            ticket,
            "reply",
            actor=actor,
            unit=unit,
            note=result,
            at=now,
            changes={
                "replied_at": now,
                "result": result,
                "reply_class": reply_class,
                "reply_evidence": evidence,
                "review_pending": needs_review(ticket, reply_class, now),
                # A new reply waits for a new decision on its class.
                "class_decision": "",
                "decided_class": "",
                "final_answer": False,
            },
            data={"attachments": len(files)} if files else None,
        )


def co_reply(
    ticket: Ticket, *, unit: Unit, text: str, actor: Actor | None = None, at: dt.datetime | None = None
) -> None:
    """A co-unit's own reply on its part of the task."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The reply is empty.")})
    limits.check_lengths(text=(text, limits.RESULT))
    transitions.apply(ticket, "co_reply", actor=actor, unit=unit, note=text, at=at or timezone.now())
