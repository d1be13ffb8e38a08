"""Webhooks: every change of a ticket a client submitted becomes one signed delivery to its URL.

The outbox carries and retries them (``Delivery`` rows, channel ``webhook``); the key
``webhook:<client>:<event>`` makes queueing an event twice leave one row, so the job may run
again after a crash without sending anything twice.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import transaction

from hotline.outbox.delivery import enqueue
from hotline.linkage.models import Direction, Transfer
from hotline.outbox.models import Delivery
from hotline.tickets.models import TicketEvent

from .models import PartnerClient, Scope, Submission

BATCH = 200
# Events are queued once they are this old: a transaction still open when the job reads could
# otherwise commit an event below the cursor after it moved on, and that event would be lost.
SETTLE = dt.timedelta(seconds=30)


def secret_for(delivery: Delivery) -> str:
    """The signing secret of a webhook delivery: its client's, read from the key."""
    parts = delivery.key.split(":")
    if len(parts) == 3 and parts[0] == "dial":
        # Click-to-call goes to the phone system: the calls client whose webhook is the dial URL.
        for client in PartnerClient.objects.filter(is_active=True, webhook_url=delivery.address):
            if Scope.CALLS in client.scope_set:
                return client.webhook_secret
        return ""
    if len(parts) != 3 or parts[0] != "webhook" or not parts[1].isdigit():
        return ""
    return PartnerClient.objects.filter(pk=int(parts[1])).values_list("webhook_secret", flat=True).first() or ""


def payload(event: TicketEvent, *, external_id: str | None) -> dict:
    """What a partner learns of a change: the move and the status, never notes (they can name people)."""
    return {
        "type": "ticket.changed",
        "ticket": event.ticket.code,
        "external_id": external_id,
        "seq": event.seq,
        "action": event.action,
        "from_status": event.from_status,
        "status": event.to_status,
        "at": event.created_at.isoformat(),
    }


def queue_for(client: PartnerClient, *, now: dt.datetime) -> int:
    """Queue the client's next batch of events after its cursor; returns how many were queued."""
    if not client.webhook_url or not client.is_active:
        return 0
    events = list(
        TicketEvent.objects.filter(
            pk__gt=client.webhook_cursor,
            created_at__lte=now - SETTLE,
            ticket__in=Submission.objects.filter(client=client).values("ticket"),
        )
        .select_related("ticket")
        .order_by("pk")[:BATCH]
    )
    if not events:
        return 0
    with transaction.atomic():
        for event in events:
            enqueue(
                key=f"webhook:{client.pk}:{event.pk}",
                channel=Delivery.Channel.WEBHOOK,
                address=client.webhook_url,
                subject=event.action,
                body=json.dumps(payload(event, external_id=event.ticket.external_id), ensure_ascii=False),
                ticket=event.ticket,
                at=now,
            )
        PartnerClient.objects.filter(pk=client.pk).update(webhook_cursor=events[-1].pk)
    client.webhook_cursor = events[-1].pk
    return len(events)


def queue_transfers_for(client: PartnerClient, *, now: dt.datetime) -> int:
    """An agency's system (110…) hears of each transfer out to it that waits for its receipt; the
    details (the caller to call back) it reads with its token. The key makes each one go once."""
    if client.agency_id is None or Scope.TRANSFER not in client.scope_set:
        return 0
    waiting = Transfer.objects.filter(
        agency_id=client.agency_id, direction=Direction.OUT, received_at=None, sent_at__gte=now - dt.timedelta(days=1)
    ).select_related("ticket")
    queued = 0
    for transfer in waiting:
        _delivery, new = enqueue(
            key=f"webhook:{client.pk}:transfer-{transfer.pk}",
            channel=Delivery.Channel.WEBHOOK,
            address=client.webhook_url,
            subject="transfer",
            body=json.dumps(
                {
                    "type": "transfer.created",
                    "transfer": transfer.pk,
                    "ticket": transfer.ticket.code,
                    "due_at": transfer.due_at.isoformat(),
                },
                ensure_ascii=False,
            ),
            ticket=transfer.ticket,
            at=now,
        )
        queued += new
    return queued


def queue_webhooks(*, now: dt.datetime) -> dict[str, int]:
    queued = 0
    for client in PartnerClient.objects.filter(is_active=True).exclude(webhook_url=""):
        queued += queue_for(client, now=now) + queue_transfers_for(client, now=now)
    return {"queued": queued}
