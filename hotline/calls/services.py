"""Call events from the phone system, call-backs and click-to-call.

Events may come twice or out of order (the phone system retries): each one only fills what it
knows, and a later state never goes back (ended stays ended)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.intake.services import normalize_phone
from hotline.outbox.delivery import enqueue
from hotline.tickets.models import Ticket

from .models import Call

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor

EVENTS = ("ringing", "answered", "ended", "missed")
_RANK = {Call.State.RINGING: 0, Call.State.ANSWERED: 1, Call.State.ENDED: 2, Call.State.MISSED: 2}


def record_event(
    *,
    call_id: str,
    event: str,
    caller: str,
    operator: str = "",
    recording: str = "",
    at: dt.datetime | None = None,
) -> Call:
    """Apply one event of a call. ``operator`` is the username the phone system knows the agent by."""
    errors = {}
    call_id = (call_id or "").strip()
    if not call_id or len(call_id) > 64:
        errors["call_id"] = _("A call id of at most 64 characters is needed.")
    if event not in EVENTS:
        errors["event"] = _("The event is ringing, answered, ended or missed.")
    try:
        number = normalize_phone(caller)
    except ValueError:
        number = ""
        errors["caller"] = _("“%(phone)s” is not a phone number.") % {"phone": (caller or "")[:30]}
    user = None
    if operator:
        user = get_user_model().objects.filter(username=operator[:150], is_active=True).first()
        if user is None:
            errors["operator"] = _("No operator is called %(name)s.") % {"name": operator[:40]}
    if recording and (len(recording) > 300 or not recording.startswith(("https://", "http://"))):
        errors["recording"] = _("The recording is an http(s) link of at most 300 characters.")
    if errors:
        raise ValidationError(errors)
    now = at or timezone.now()
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(call_id=call_id).first()
        if call is None:
            try:
                with transaction.atomic():
                    call = Call.objects.create(call_id=call_id, caller=number, state=Call.State.RINGING, rang_at=now)
            except IntegrityError:
                call = Call.objects.select_for_update().get(call_id=call_id)
        if user is not None:
            call.operator = user
        if recording:
            call.recording = recording
        if _RANK[Call.State(event)] >= _RANK[Call.State(call.state)] and call.state not in (
            Call.State.ENDED,
            Call.State.MISSED,
        ):
            call.state = event
        if event == "answered" and call.answered_at is None:
            call.answered_at = now
        if event in ("ended", "missed") and call.ended_at is None:
            call.ended_at = now
        if event == "missed" and call.answered_at is None and call.callback_due is None:
            call.state = Call.State.MISSED
            call.callback_due = now + dt.timedelta(hours=settings.CTI["CALLBACK_HOURS"])
        call.save()
    return call


def link_ticket(call_id: str, ticket: Ticket, *, operator: Actor) -> bool:
    """The ticket registered while the operator had this call keeps its call id and recording."""
    return bool(Call.objects.filter(call_id=call_id[:64], operator=operator, ticket=None).update(ticket=ticket))


def request_dial(*, number: str, operator: Actor, ticket: Ticket | None = None, at: dt.datetime | None = None) -> str:
    """点击拨号: ask the phone system to ring the operator's phone and then ``number``. The request is
    a signed delivery to the phone system's URL (``HOTLINE_CTI_DIAL_URL``); returns its key."""
    url = settings.CTI["DIAL_URL"]
    if not url:
        raise ValidationError(_("No phone system is connected for click-to-call."))
    try:
        phone = normalize_phone(number)
    except ValueError:
        raise ValidationError({"number": _("“%(phone)s” is not a phone number.") % {"phone": number[:30]}})
    key = f"dial:0:{secrets.token_hex(8)}"
    body = {
        "type": "dial",
        "operator": operator.get_username(),
        "number": phone,
        "ticket": ticket.code if ticket else None,
    }
    enqueue(
        key=key,
        channel="webhook",
        address=url,
        subject="dial",
        body=json.dumps(body, ensure_ascii=False),
        ticket=ticket,
        at=at,
    )
    # A missed call from this number counts as called back once the operator dials it.
    Call.objects.filter(caller=phone, state=Call.State.MISSED, called_back_at=None).update(
        called_back_at=at or timezone.now()
    )
    return key
