"""The public portal's writes and checks: throttles, the challenge against scripts, submitting,
tracking and rating, and drafting a typical case from a ticket."""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.dispatch.models import DispatchSuggestion
from hotline.dispatch.services import hold_for_dispatcher, sure_matter
from hotline.dispatch.suggest import suggest
from hotline.handling import attachments
from hotline.intake.services import register_ticket
from hotline.text import carries_information, clean_text, id_numbers, summarise
from hotline.tickets import transitions
from hotline.tickets.models import Ticket

from .anonymise import anonymise
from .models import Attempt, Claim, TypicalCase

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.core.files.uploadedfile import UploadedFile

    from hotline.orgs.permissions import Actor

CHANNEL = "web_portal"
_SALT = "hotline.publicity.challenge"
CHALLENGE_MIN_SECONDS = 2  # a person needs longer than this to read and answer
CHALLENGE_MAX_SECONDS = 3600
HOUR = dt.timedelta(hours=1)
SUBMITS_PER_HOUR = 5  # per network
PORTAL_PHOTOS = 3  # photos a citizen may send with one request (a unit may attach more to a reply)
_NONCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def allowed(scope: str, key: str, *, limit: int, window: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Whether ``key`` may act again in ``scope``: fewer than ``limit`` counted attempts in ``window``.
    Only a look: ``take`` is the check that holds under concurrency."""
    now = now or timezone.now()
    return Attempt.objects.filter(scope=scope, key=key[:64], at__gte=now - window, ok=True).count() < limit


def count(scope: str, key: str, *, now: dt.datetime | None = None) -> Attempt:
    now = now or timezone.now()
    attempt = Attempt.objects.create(scope=scope, key=key[:64], at=now)
    if random.random() < 0.01:  # prune now and then; a day is longer than any window
        Attempt.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
        # Spent challenges and the throttles' lock rows too: a day is longer than any window,
        # and a lock row is made again on its key's next attempt.
        Claim.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
    return attempt


def take(scope: str, key: str, *, limit: int, window: dt.timedelta, now: dt.datetime | None = None) -> Attempt | None:
    """Count one attempt of ``key`` in ``scope`` if fewer than ``limit`` were counted in ``window``;
    the new attempt, or None when the limit is reached.

    The check and the count are one step: the key's ``Claim`` row is locked first (PostgreSQL;
    SQLite's IMMEDIATE transactions hold its one write lock from the start), so of 150 parallel
    requests exactly ``limit`` get through, not all that read the count before any wrote it."""
    now = now or timezone.now()
    key = key[:64]
    with transaction.atomic():
        claim, _made = Claim.objects.get_or_create(scope=scope, key=key, defaults={"at": now})
        Claim.objects.select_for_update().filter(pk=claim.pk).first()
        if not allowed(scope, key, limit=limit, window=window, now=now):
            return None
        return count(scope, key, now=now)


SPENT = "challenge"


def _spend_challenge(token: str, *, now: dt.datetime) -> bool:
    """Mark the challenge in ``token`` used; False when it was used before (one answer, one request)."""
    data = signing.loads(token, salt=_SALT)  # checked by challenge_passed just before
    try:
        with transaction.atomic():
            Claim.objects.create(scope=SPENT, key=str(data.get("n", ""))[:64], at=now)
    except IntegrityError:
        return False
    return True


def make_challenge(now: dt.datetime | None = None) -> tuple[str, str]:
    """A small sum for a person to answer, and a signed token that carries it and the time it was asked."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    issued = (now or timezone.now()).timestamp()
    token = signing.dumps({"s": a + b, "t": issued, "n": secrets.token_hex(16)}, salt=_SALT)
    return f"{a} + {b} = ?", token


def challenge_passed(token: str, answer: str, now: dt.datetime | None = None) -> bool:
    try:
        data = signing.loads(token or "", salt=_SALT, max_age=CHALLENGE_MAX_SECONDS)
    except signing.BadSignature:
        return False
    age = (now or timezone.now()).timestamp() - float(data.get("t", 0))
    return str(data.get("s")) == (answer or "").strip() and age >= CHALLENGE_MIN_SECONDS


def check_public_text(*, content: str, address: str) -> None:
    """What the form's hint asks for (M13): no identity-card number (staff never need it, and it
    would be kept), and a request and a place that say something. ``ValidationError`` otherwise."""
    errors: dict[str, str] = {}
    if id_numbers(content) or id_numbers(address):
        errors["content" if id_numbers(content) else "address"] = _(
            "Please remove the identity-card number: the hotline does not need it to handle your request."
        )
    if "content" not in errors and not carries_information(content):
        errors["content"] = _("Please say what happened, in a few words of Chinese: where, what, since when.")
    if "address" not in errors and not carries_information(address):
        errors["address"] = _("Please name the place: a district, street, estate, road or village.")
    if errors:
        raise ValidationError(errors)


def submit_request(
    *,
    kind: str,
    content: str,
    address: str,
    requester_phone: str,
    requester_name: str = "",
    anonymous: bool = False,
    challenge: str,
    answer: str,
    nonce: str,
    website: str = "",
    client: str,
    now: dt.datetime | None = None,
    photos: Sequence[UploadedFile] = (),
) -> tuple[Ticket, bool]:
    """A citizen's request from the portal. Returns the ticket and whether it is new.

    In order: the honeypot ``website`` (people leave it empty), the challenge (answered, and not
    too fast for a person), the caps, then the form's ``nonce``: the same nonce always gives the
    same ticket, so a double click or a form sent again after a dropped connection never makes a
    second one and is not counted against the limit. Only then the limit of requests per network
    (``client``) in an hour, and the ticket. Anything refused raises ``ValidationError`` (keyed
    by the form's field, or ``NON_FIELD_ERRORS``) and writes nothing.
    """
    if website:
        raise ValidationError({NON_FIELD_ERRORS: _("The form could not be accepted.")})
    if not challenge_passed(challenge, answer, now=now):
        raise ValidationError({"answer": _("The answer to the check is wrong or came too fast; please try again.")})
    nonce = (nonce or "").strip()
    if not _NONCE.match(nonce):
        raise ValidationError({NON_FIELD_ERRORS: _("The form could not be accepted.")})
    limits.check_lengths(
        content=(clean_text(content), limits.PORTAL_CONTENT), address=(clean_text(address), limits.PORTAL_ADDRESS)
    )
    check_public_text(content=content, address=address)
    # The same checks as a unit's attachments (content, not name; size; count), photos only.
    checked = attachments.check(photos, most=PORTAL_PHOTOS, photos_only=True, field="photos")
    external_id = f"portal-{nonce}"
    sent = Ticket.objects.filter(channel_id=CHANNEL, external_id=external_id).first()
    if sent is not None:
        return sent, False
    now = now or timezone.now()
    made = suggest(content, address)  # names the ticket (m9) and is kept for the dispatcher
    with transitions.service_block():  # the request and its photos, or neither
        # The challenge is spent and the network's slot taken, or nothing is written (H2).
        if not _spend_challenge(challenge, now=now):
            sent = Ticket.objects.filter(channel_id=CHANNEL, external_id=external_id).first()
            if sent is not None:  # the same form, sent twice at once: the first one's answer
                return sent, False
            raise ValidationError({"answer": _("This check was already answered; please answer the new one.")})
        slot = take("submit", client, limit=SUBMITS_PER_HOUR, window=HOUR, now=now)
        if slot is None:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Too many requests from your network in the last hour; please call 12345.")}
            )
        ticket, new = register_ticket(
            channel=CHANNEL,
            title_matter=sure_matter(made),
            external_id=external_id,
            kind=kind,
            content=content,
            address=address,
            requester_name=requester_name,
            requester_phone=requester_phone,
            anonymous=anonymous,
            received_at=now,
        )
        if not new:  # a resend that raced the first one is its answer, not a second request
            slot.delete()
        else:
            attachments.store(ticket, None, checked)
            # Anyone can write here: a dispatcher reads each request before it goes to a unit, and
            # the ticket page says so (m18).
            hold_for_dispatcher(ticket, held=DispatchSuggestion.Held.CHANNEL, suggestions=made)
    return ticket, new


def find_for_requester(code: str, last4: str) -> Ticket | None:
    """The ticket with this code whose requester's phone ends in ``last4``; None for anything else,
    so a wrong code and a wrong number look the same."""
    code, last4 = (code or "").strip().upper()[:24], (last4 or "").strip()
    if len(last4) != 4 or not last4.isdigit() or not code:
        return None
    ticket = Ticket.objects.select_related("lead_unit", "matter", "region", "channel").filter(code=code).first()
    if ticket is None or not ticket.requester_phone or not ticket.requester_phone.endswith(last4):
        return None
    return ticket


PUBLIC_ACTIONS = frozenset(
    {"register", "answer", "dispatch", "sign", "contact", "reply", "close", "reopen", "merge", "invalidate"}
)


def public_timeline(ticket: Ticket) -> list[tuple[dt.datetime, str, str]]:
    """(time, step, unit) for the steps a requester may follow; notes, names and the centre's
    internal moves (returns, extensions, supervision) stay inside."""
    rows = []
    for event in ticket.events.select_related("unit").order_by("seq"):
        if event.action in PUBLIC_ACTIONS:
            rows.append((event.created_at, event.action_label, str(event.unit or "")))
    return rows


CASE_SUMMARY = 300  # characters of the request a drafted case keeps, in whole sentences


def draft_case(ticket: Ticket, *, title: str = "", actor: Actor | None = None) -> TypicalCase:
    """An unpublished typical case from a closed ticket, already anonymised; the centre edits and
    publishes it."""
    names = tuple(n for n in (ticket.requester_name,) if n)
    region = ticket.region
    district = region.district if region is not None else None
    return TypicalCase.objects.create(
        title=anonymise(title or ticket.title, names=names)[: limits.TITLE],
        # Whole sentences, not a cut at N characters (m13); the centre edits it before publishing.
        summary=anonymise(summarise(ticket.content, CASE_SUMMARY), names=names),
        outcome=anonymise(ticket.result, names=names),
        ticket=ticket,
        matter=ticket.matter,
        district=district,
        created_by=actor,
    )


@transaction.atomic
def publish_case(case: TypicalCase, *, published: bool = True) -> TypicalCase:
    """Publishing anonymises once more: an edit must not bring a phone number back in.

    Text longer than its cap is refused (``ValidationError``) and nothing is saved."""
    limits.check_lengths(
        title=(case.title, limits.TITLE),
        summary=(case.summary, limits.CASE_TEXT),
        outcome=(case.outcome, limits.CASE_TEXT),
    )
    names = (case.ticket.requester_name,) if case.ticket is not None and case.ticket.requester_name else ()
    # Masking can lengthen a title by a star (a 7-digit landline becomes 8), as in ``draft_case``.
    case.title = anonymise(case.title, names=names)[: limits.TITLE]
    case.summary = anonymise(case.summary, names=names)
    case.outcome = anonymise(case.outcome, names=names)
    case.published = published
    case.published_at = timezone.now() if published else None
    case.save()
    return case


def publish_demo_cases(n: int = 6) -> int:
    """For the demo: a few closed, satisfied tickets of different matters written up as cases."""
    from hotline.evaluation.models import Revisit

    if TypicalCase.objects.exists():
        return 0
    seen, made = set(), 0
    satisfied = Revisit.objects.filter(
        outcome=Revisit.Outcome.VALID, satisfaction__in=("very_satisfied", "satisfied"), solved=True
    )
    for revisit in satisfied.select_related("ticket", "ticket__matter", "ticket__region").order_by("-id")[:500]:
        ticket = revisit.ticket
        if ticket.status != "closed" or ticket.matter is None or ticket.matter_id in seen or not ticket.result:
            continue
        seen.add(ticket.matter_id)
        publish_case(draft_case(ticket))
        made += 1
        if made >= n:
            break
    return made
