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

from .services import requester_revisit_refusal

SALT = "hotline.evaluation.rating"


def rating_token(ticket: Ticket, group: Ticket | None = None) -> str:
    """The token of ``ticket``'s rating link; for a merged ticket's requester, about the reply to
    ``group``, the ticket it was merged into."""
    replied = (group or ticket).replied_at
    if replied is None:
        raise ValueError("only a replied ticket can be rated")
    return signing.dumps({"t": ticket.pk, "r": int(replied.timestamp())}, salt=SALT, compress=True)


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
    ticket = Ticket.objects.filter(pk=data.get("t")).select_related("lead_unit", "merged_into__lead_unit").first()
    about = ticket.merged_into if ticket is not None and ticket.status == Status.MERGED else ticket
    if about is None or about.replied_at is None or int(about.replied_at.timestamp()) != data.get("r"):
        raise LinkError(_("This rating link is not valid."))
    assert ticket is not None  # ``about`` is ticket or its group
    if about is not ticket:
        # A merged ticket's requester rates the group's reply once, within its revisit window.
        if requester_revisit_refusal(ticket, now=now):
            raise LinkError(_("This request has already been rated. Thank you."))
        return ticket
    if ticket.status != Status.REPLIED:
        raise LinkError(_("This request has already been rated. Thank you."))
    return ticket


def rating_url(ticket: Ticket, group: Ticket | None = None) -> str:
    return f"{settings.HOTLINE['PUBLIC_URL'].rstrip('/')}/s/rate/{rating_token(ticket, group)}/"


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
            status=Status.REPLIED,
            replied_at__lte=now,
            revisit_due__gt=now,
            confidential=False,
            anonymous=False,
            review_pending=False,
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
    queued_merged = _send_to_merged_requesters(now, limit)
    return {"queued": queued, "merged": queued_merged} if queued_merged else {"queued": queued}


def _send_to_merged_requesters(now: dt.datetime, limit: int) -> int:
    """并单: every requester of a ticket merged into a replied one gets the reply and a rating link
    of their own, once per reply (the key names the ticket and the group's reply)."""
    sent = Delivery.objects.filter(
        ticket=OuterRef("pk"), key__startswith="rate:", created_at__gte=OuterRef("merged_into__replied_at")
    )
    merged = (
        Ticket.objects.filter(
            status=Status.MERGED,
            merged_into__status=Status.REPLIED,
            merged_into__replied_at__lte=now,
            merged_into__revisit_due__gt=now,
            merged_into__review_pending=False,
            confidential=False,
            anonymous=False,
        )
        .exclude(requester_phone="")
        .exclude(Exists(sent))
        .select_related("merged_into")
        .order_by("merged_into__replied_at")[:limit]
    )
    queued = 0
    for ticket in merged:
        group = ticket.merged_into
        assert group is not None and group.replied_at is not None  # the query asked for both
        _row, created = enqueue(
            key=f"rate:{ticket.pk}:{int(group.replied_at.timestamp())}",
            address=ticket.requester_phone,
            body=_(
                "[12345] Your request %(code)s was handled with %(group)s. The reply: %(result)s "
                "Please tell us how it went: %(url)s"
            )
            % {
                "code": ticket.code,
                "group": group.code,
                "result": _short(group.result),
                "url": rating_url(ticket, group),
            },
            ticket=ticket,
            at=now,
        )
        queued += created
    return queued


def _short(text: str, most: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= most else text[: most - 1] + "…"
