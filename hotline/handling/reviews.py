"""负责人 the unit manager's review of a handler's reply before it goes to the centre.

A unit that reviews its replies (``Unit.reply_review``) holds a handler's reply as a
``ReplyDraft``; the manager approves it (it goes out through ``services.reply``, the one way a
reply is made) or sends it back with a reason. A manager's own reply needs no review. Each step is
an event on the ticket; the draft's state is claimed with a compare-and-set, so two managers
deciding at once make one decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.handling import attachments as attachment_store
from hotline.orgs.models import Staff, Unit
from hotline.orgs.permissions import role_of
from hotline.tickets import transitions
from hotline.tickets.models import Ticket
from hotline.tickets.transitions import TransitionError

from . import services
from .models import ReplyDraft

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor


def needs_review(unit: Unit, actor: Actor | None) -> bool:
    """Whether ``actor``'s reply for ``unit`` waits for the manager: the unit reviews its replies
    and the actor is not its manager."""
    return unit.reply_review and role_of(actor) != Staff.Role.UNIT_MANAGER


def pending(ticket: Ticket) -> ReplyDraft | None:
    return ticket.reply_drafts.filter(state=ReplyDraft.State.PENDING).select_related("author").first()


def submit(
    ticket: Ticket,
    *,
    unit: Unit,
    result: str,
    actor: Actor,
    attachments: Sequence[UploadedFile] = (),
    reply_class: str = "resolved",
    evidence: str = "",
    at: dt.datetime | None = None,
) -> ReplyDraft:
    """A handler's reply, held for the manager. Files are kept with the ticket at once (they are
    evidence whatever the review says); a second draft while one waits is refused."""
    transitions.require_lead(ticket, unit)
    transitions.check(ticket, "draft_reply")
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": _("The reply is empty.")})
    limits.check_lengths(result=(result, limits.RESULT))
    evidence = services.check_class(reply_class, evidence)
    files = attachment_store.check(attachments)
    now = at or timezone.now()
    waiting = _("A reply is already waiting for the unit manager's review.")
    if pending(ticket) is not None:
        raise TransitionError(waiting, code="pending")
    try:
        with transitions.service_block():
            draft = ReplyDraft.objects.create(
                ticket=ticket,
                unit=unit,
                text=result,
                reply_class=reply_class,
                evidence=evidence,
                author=actor,
                written_at=now,
            )
            attachment_store.store(ticket, unit, files, actor=actor)
            transitions.apply(
                ticket,
                "draft_reply",
                actor=actor,
                unit=unit,
                note=result,
                at=now,
                data={"draft": draft.pk, **({"attachments": len(files)} if files else {})},
            )
    except IntegrityError:  # a draft written meanwhile by someone else
        raise TransitionError(waiting, code="pending") from None
    return draft


def _claim(draft: ReplyDraft, state: str, *, unit: Unit, actor: Actor, note: str, now: dt.datetime) -> None:
    if draft.unit_id != unit.pk:
        raise TransitionError(_("Only the unit's own manager reviews its replies."), code="not_unit")
    claimed = ReplyDraft.objects.filter(pk=draft.pk, state=ReplyDraft.State.PENDING).update(
        state=state, reviewer=actor, reviewed_at=now, review_note=note
    )
    if not claimed:
        raise TransitionError(_("This reply has already been reviewed."), code="decided")
    draft.state, draft.reviewer, draft.reviewed_at, draft.review_note = state, actor, now, note


def approve(draft: ReplyDraft, *, unit: Unit, actor: Actor, at: dt.datetime | None = None) -> None:
    """The manager approves: the reply goes out as the handler wrote it, in the same transaction as
    the approval (a reply the ticket refuses now leaves the draft waiting)."""
    now = at or timezone.now()
    with transitions.service_block():
        _claim(draft, ReplyDraft.State.APPROVED, unit=unit, actor=actor, note="", now=now)
        services.reply(
            draft.ticket,
            unit=unit,
            result=draft.text,
            reply_class=draft.reply_class or "resolved",
            evidence=draft.evidence,
            actor=actor,
            at=now,
        )


def send_back(draft: ReplyDraft, *, unit: Unit, actor: Actor, reason: str, at: dt.datetime | None = None) -> None:
    """The manager sends the reply back to the handler with a reason; the ticket stays in progress."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the reply lacks.")})
    limits.check_lengths(reason=(reason, limits.NOTE))
    now = at or timezone.now()
    with transitions.service_block():
        _claim(draft, ReplyDraft.State.SENT_BACK, unit=unit, actor=actor, note=reason, now=now)
        transitions.apply(
            draft.ticket,
            "send_back_reply",
            actor=actor,
            unit=unit,
            note=reason,
            at=now,
            data={"draft": draft.pk},
        )


def assign(ticket: Ticket, *, unit: Unit, handler: Actor, actor: Actor, at: dt.datetime | None = None) -> None:
    """The manager gives the unit's task on ``ticket`` to ``handler``, one of the unit's people."""
    transitions.require_lead(ticket, unit)
    staff = Staff.objects.filter(user=handler, unit=unit).first()
    if staff is None or staff.role not in (Staff.Role.HANDLER, Staff.Role.UNIT_MANAGER):
        raise ValidationError({"handler": _("Choose one of the unit's own handlers.")})
    name = handler.get_full_name() or handler.get_username()
    transitions.apply(
        ticket,
        "assign",
        actor=actor,
        unit=unit,
        note=name,
        at=at or timezone.now(),
        data={"handler": handler.pk},
    )
