"""Reads of transfers: the late ones (for the supervision pool and the reports)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet

from hotline.tickets.models import REPLIED_OR_CLOSED, Ticket

from .models import Direction, Transfer


def late(now: dt.datetime) -> Q:
    """超时转办, the one definition. Out: no receipt by its due time, or a receipt after it. In: the
    ticket not replied by the due time, or replied after it (our feedback to the agency is the reply)."""
    out_late = Q(direction=Direction.OUT) & (Q(received_at=None, due_at__lt=now) | Q(received_at__gt=F("due_at")))
    in_late = Q(direction=Direction.IN) & (
        (Q(ticket__replied_at=None, due_at__lt=now) & ~Q(ticket__status__in=REPLIED_OR_CLOSED))
        | Q(ticket__replied_at__gt=F("due_at"))
    )
    return out_late | in_late


def late_transfers(now: dt.datetime) -> QuerySet[Transfer]:
    return Transfer.objects.filter(late(now)).select_related("ticket", "agency").order_by("due_at")


def counts(
    start: dt.datetime, end: dt.datetime, *, now: dt.datetime, tickets: QuerySet[Ticket] | None = None
) -> dict[str, int]:
    """Transfers sent in [start, end) (of ``tickets``, default all): out, in, and how many of them
    are late as of ``now``."""
    sent = Transfer.objects.filter(sent_at__gte=start, sent_at__lt=end)
    if tickets is not None:
        sent = sent.filter(ticket__in=tickets)
    return {
        "out": sent.filter(direction=Direction.OUT).count(),
        "in": sent.filter(direction=Direction.IN).count(),
        "late": sent.filter(late(now)).count(),
    }
