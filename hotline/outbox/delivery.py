"""Deliveries: enqueue a message once, send it with retries, never touch the ticket."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Delivery
from .transports import transport_for

log = logging.getLogger(__name__)

# How long a claimed message is held by the worker sending it; a worker that dies mid-send lets
# the message go back to the queue after this.
LEASE = dt.timedelta(minutes=5)


def enqueue(
    *,
    key: str,
    address: str,
    body: str,
    channel: str = Delivery.Channel.SMS,
    subject: str = "",
    # An orgs.Unit and a tickets.Ticket: the outbox sits below both layers and imports neither.
    unit: Any = None,
    ticket: Any = None,
    at: dt.datetime | None = None,
) -> tuple[Delivery, bool]:
    """Queue one message. The key is its identity: queueing it again returns the first row."""
    now = at or timezone.now()
    if not key or not address or not body:
        raise ValueError("a delivery needs a key, an address and a body")
    if len(key) > 120 or len(address) > 120:
        raise ValueError("a delivery's key and address are at most 120 characters")
    existing = Delivery.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return (
                Delivery.objects.create(
                    key=key,
                    channel=channel,
                    address=address,
                    subject=subject[:200],
                    body=body,
                    unit=unit,
                    ticket=ticket,
                    next_attempt_at=now,
                    created_at=now,
                ),
                True,
            )
    except IntegrityError:
        # Someone queued the same key between our read and our insert: theirs is the message.
        return Delivery.objects.get(key=key), False


def _retry_delay(attempts: int) -> dt.timedelta:
    base = settings.OUTBOX["DELIVERY_RETRY_SECONDS"]
    return dt.timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def send_one(delivery: Delivery, *, now: dt.datetime) -> bool:
    """Claim one due message and try to send it. Returns True when it went out.

    The claim is a compare-and-set on ``attempts``: of two workers, one sends, the other skips.
    A failing transport only records the error and schedules the next attempt.
    """
    claimed = Delivery.objects.filter(
        pk=delivery.pk, state=Delivery.State.PENDING, attempts=delivery.attempts, next_attempt_at__lte=now
    ).update(attempts=delivery.attempts + 1, next_attempt_at=now + LEASE)
    if not claimed:
        return False
    attempts = delivery.attempts + 1
    name = ""
    try:
        name, transport = transport_for(delivery.channel)
        transport(delivery)
    except Exception as exc:  # any transport failure is a failed attempt, never a crash of the worker
        give_up = attempts >= settings.OUTBOX["DELIVERY_MAX_ATTEMPTS"]
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.FAILED if give_up else Delivery.State.PENDING,
            next_attempt_at=now + _retry_delay(attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            transport=name,
        )
        log.warning("delivery %s failed (attempt %d): %s", delivery.key, attempts, exc)
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.SENT, sent_at=now, last_error="", transport=name
    )
    return True


def deliver_due(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send every pending message whose time has come (at most ``limit``)."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at")[
            :limit
        ]
    )
    sent = sum(send_one(d, now=now) for d in due)
    return {"sent": sent, "failed": len(due) - sent}
