"""回访 by SMS: a signed link to a public rating page, one per reply.

The token names the ticket and the reply it is about, so a link from before a reopening is dead
once the unit replies again; it expires with the revisit window's slack (REVISIT_LINK_DAYS).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.outbox.delivery import enqueue
from hotline.outbox.models import Delivery
from hotline.tickets.models import Status, Ticket

SALT = "hotline.evaluation.rating"


def rating_token(ticket: Ticket) -> str:
    if ticket.replied_at is None:
        raise ValueError("only a replied ticket can be rated")
    return signing.dumps({"t": ticket.pk, "r": int(ticket.replied_at.timestamp())}, salt=SALT, compress=True)


class LinkError(Exception):
    pass


def ticket_for_token(token: str, *, now: dt.datetime | None = None) -> Ticket:
    """The ticket a rating link is for, while it waits for its revisit; ``LinkError`` otherwise."""
    max_age = dt.timedelta(days=settings.HOTLINE["REVISIT_LINK_DAYS"])
    try:
        data = signing.loads(token[:400], salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError(_("This rating link has expired."))
    except signing.BadSignature:
        raise LinkError(_("This rating link is not valid."))
    ticket = Ticket.objects.filter(pk=data.get("t")).select_related("lead_unit").first()
    if ticket is None or ticket.replied_at is None or int(ticket.replied_at.timestamp()) != data.get("r"):
        raise LinkError(_("This rating link is not valid."))
    if ticket.status != Status.REPLIED:
        raise LinkError(_("This request has already been rated. Thank you."))
    return ticket


def rating_url(ticket: Ticket) -> str:
    return f"{settings.HOTLINE['PUBLIC_URL'].rstrip('/')}/s/rate/{rating_token(ticket)}/"


def send_rating_links(*, now: dt.datetime | None = None, limit: int = 2000) -> dict[str, int]:
    """Queue one SMS per replied ticket with a phone and no valid revisit yet. Idempotent: the
    message key is the ticket and its reply, so a second run queues nothing."""
    now = now or timezone.now()
    queued = 0
    # Skip in the query what already has its link for this reply: the run stays cheap when idle.
    sent = Delivery.objects.filter(
        ticket=OuterRef("pk"), key__startswith="rate:", created_at__gte=OuterRef("replied_at")
    )
    tickets = (
        Ticket.objects.filter(
            status=Status.REPLIED, replied_at__lte=now, revisit_due__gt=now, confidential=False, anonymous=False
        )
        .exclude(requester_phone="")
        .exclude(Exists(sent))
        .order_by("replied_at")[:limit]
    )
    for ticket in tickets:
        assert ticket.replied_at is not None  # the query asked for replied_at <= now
        _row, created = enqueue(
            key=f"rate:{ticket.pk}:{int(ticket.replied_at.timestamp())}",
            address=ticket.requester_phone,
            body=_("[12345] Your request %(code)s has been answered. Please tell us how it went: %(url)s")
            % {"code": ticket.code, "url": rating_url(ticket)},
            ticket=ticket,
            at=now,
        )
        queued += created
    return {"queued": queued}
