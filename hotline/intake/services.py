"""接 intake: a request from any channel becomes one ticket, exactly once."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.catalog.models import Matter
from hotline.orgs import places
from hotline.orgs.models import Region
from hotline.text import clean_text, mask_id_numbers, strip_wrapping
from hotline.tickets import transitions
from hotline.tickets.deadlines import tier_for
from hotline.tickets.models import VOID, Kind, Status, Ticket, Urgency

from . import uscc
from .models import Channel, DailyCounter

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor

# How far ahead of our clock a channel's own timestamp may be before we call it wrong.
CLOCK_SKEW = dt.timedelta(minutes=5)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_LOCAL = re.compile(r"^\d{7,8}$")


# Where a request is: the best place found in its address (or, without one, its text). Intake
# alone knows only region names (``orgs.places``); dispatch, a layer above, installs its locator
# with the gazetteer of roads and estates when the app starts (``DispatchConfig.ready``), so every
# door that registers a ticket stores the same place the console shows (M2).
PlaceFinder = Callable[[str, str], "Region | None"]


def _named_region(address: str, text: str) -> Region | None:
    return places.resolve(address).region if address else None


_place_finder: PlaceFinder = _named_region


def use_place_finder(finder: PlaceFinder) -> None:
    global _place_finder
    _place_finder = finder


def find_place(address: str, text: str = "") -> Region | None:
    """The place a ticket keeps: the township when it is sure, else the district, else nothing."""
    return _place_finder(address, text)


# "本人住城西区…", "家中老人住在…小区": where the caller lives, not what is wrong.
_RESIDENCE = re.compile(r"^(?:本人|我家|我|家里|家中[^，,]{0,4})?(?:家)?住")
_CLAUSE = re.compile(r"[，。！？；,.!?;\n]+")
TITLE_PROBLEM = 24  # characters of the request's own words when no matter names the problem


def make_title(content: str, *, address: str = "", matter: Matter | None = None, region: Region | None = None) -> str:
    """A ticket's title as an operator would write it (m9): the place, then the problem.

    The place is the estate, road or village the address names (its region names and house
    number left out), else the region the ticket is placed in; the problem is the matter's name
    when one is known, else the request's first clause, without the caller's wrapping ("来电人称：")
    and cut at a clause, never mid-word past ``TITLE_PROBLEM`` characters. Every door uses it
    when no title is given."""
    spot = places.place_key(address) if address else ""
    if not re.search(r"[\u4e00-\u9fff]{2}", spot) or len(spot) > 20:
        spot = region.name if region is not None else ""
    if matter is not None:
        problem = matter.name
    else:
        text = strip_wrapping(clean_text(content))
        clauses = [c for c in _CLAUSE.split(text) if c.strip()]
        problem = ""
        for clause in clauses:
            rest = (
                re.sub(r"[\d号楼栋单元室层户-]+", "", clause.replace(spot, "").replace(address, "")) if spot else clause
            )
            if len(clauses) > 1 and (_RESIDENCE.match(clause.strip()) or len(rest.strip()) < 3):
                continue  # a clause that only says where says nothing about the problem
            if len(clauses) > 1 and re.search(r"\d{7,}", clause):
                continue  # a phone or card number: personal, and a title goes to every list
            if problem and len(problem) + len(clause) + 1 > TITLE_PROBLEM:
                break
            problem = f"{problem}，{clause.strip()}" if problem else clause.strip()
            if len(problem) >= TITLE_PROBLEM // 2:
                break
        if len(problem) > TITLE_PROBLEM:
            problem = problem[:TITLE_PROBLEM] + "…"
    title = f"{spot}：{problem}" if spot and problem else (problem or spot or clean_text(content)[:TITLE_PROBLEM])
    return mask_id_numbers(title)[: limits.TITLE]


def normalize_phone(raw: str) -> str:
    """A mainland mobile or landline number in one canonical form, or ValueError."""
    phone = re.sub(r"[\s()（）]", "", raw or "")
    phone = re.sub(r"^(?:\+?86|0086)(?=1)", "", phone)
    if _MOBILE.match(phone):
        return phone
    if _LANDLINE.match(phone):
        return phone
    if _LOCAL.match(phone):
        return f"0971-{phone}"  # a local number dialled without the Xining area code
    raise ValueError(raw)


def next_code(day: dt.date, prefix: str) -> str:
    """XN20261126000123: prefix, local date, the day's running number. Call inside a transaction:
    the counter row stays locked until it commits, so two intakes never share a number."""
    value = _bump_counter(day)
    if value is None:
        try:
            with transaction.atomic():
                DailyCounter.objects.create(day=day, value=1)
            value = 1
        except IntegrityError:  # another intake created the day's row first
            value = _bump_counter(day)
    return f"{prefix}{day:%Y%m%d}{value:06d}"


def _bump_counter(day: dt.date) -> int | None:
    if connection.vendor == "postgresql" or (connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35)):
        table = connection.ops.quote_name(DailyCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET value = value + 1 WHERE day = %s RETURNING value", [day])
            row = cursor.fetchone()
        return row[0] if row else None
    if not DailyCounter.objects.filter(day=day).update(value=F("value") + 1):
        return None
    return DailyCounter.objects.values_list("value", flat=True).get(day=day)


def register_ticket(
    *,
    channel: str,
    content: str,
    title: str = "",
    kind: str = Kind.HELP,
    requester_name: str = "",
    requester_phone: str = "",
    anonymous: bool = False,
    confidential: bool = False,
    address: str = "",
    matter: Matter | str | None = None,
    urgency: str = Urgency.NORMAL,
    external_id: str | None = None,
    actor: Actor | None = None,
    received_at: dt.datetime | None = None,
    place: Region | None = None,
    title_matter: Matter | None = None,
    company_name: str = "",
    company_code: str = "",
    outside_ok: bool = False,
) -> tuple[Ticket, bool]:
    """Record a request. Returns the ticket and whether it is new.

    The ticket keeps the best place found in the address or the text (``find_place``); a caller
    that has already located it (bulk intake) passes ``place`` instead. Without a ``title`` the
    ticket gets ``make_title``'s, naming the ``matter`` or, when none was chosen, the
    ``title_matter`` a door's classifier was sure of. A title never shows an ID number.

    The same (channel, external id) always gives the same ticket: a channel that retries after a
    time-out never creates a second one. Invalid input raises ``ValidationError`` and writes nothing.
    An address in another city is refused unless ``outside_ok`` (the caller forwards the ticket to
    that city's centre at once: ``linkage.services.forward_outside``).
    """
    errors: dict[str, str] = {}
    channel_obj = Channel.objects.filter(code=channel, is_active=True).first() if isinstance(channel, str) else None
    if channel_obj is None:
        errors["channel"] = _("Unknown channel: %(channel)s") % {"channel": channel}
    external_id = clean_text(external_id) if external_id is not None else None
    if external_id == "":
        external_id = None
    if external_id is not None and len(external_id) > limits.EXTERNAL_ID:
        errors["external_id"] = _("The external id is longer than %(max)d characters.") % {"max": limits.EXTERNAL_ID}

    content = clean_text(content)
    title = clean_text(title)
    if not content:
        errors["content"] = _("The request has no content.")
    elif len(content) > limits.CONTENT:
        errors["content"] = _("The request is longer than %(max)d characters.") % {"max": limits.CONTENT}
    if len(title) > limits.TITLE:
        errors["title"] = _("The title is longer than %(max)d characters.") % {"max": limits.TITLE}
    if kind not in Kind.values:
        errors["kind"] = _("Unknown request kind: %(kind)s") % {"kind": kind}
    if urgency not in Urgency.values:
        errors["urgency"] = _("Unknown urgency: %(urgency)s") % {"urgency": urgency}
    requester_name = clean_text(requester_name)
    if len(requester_name) > limits.REQUESTER_NAME:
        errors["requester_name"] = _("The name is longer than %(max)d characters.") % {"max": limits.REQUESTER_NAME}
    phone = ""
    if requester_phone:
        try:
            phone = normalize_phone(requester_phone)
        except ValueError:
            errors["requester_phone"] = _("“%(phone)s” is not a phone number.") % {"phone": requester_phone[:30]}
    elif not anonymous:
        errors["requester_phone"] = _("A phone number is needed unless the requester is anonymous.")
    address = clean_text(address)
    if len(address) > limits.ADDRESS:
        errors["address"] = _("The address is longer than %(max)d characters.") % {"max": limits.ADDRESS}
    elif address:
        match = places.resolve(address)
        if match.outside and not outside_ok:
            errors["address"] = _("The address is in %(place)s, outside this hotline's area.") % {
                "place": match.outside
            }
    matter_obj = None
    if isinstance(matter, Matter):
        matter_obj = matter
    elif matter:
        matter_obj = Matter.objects.filter(code=matter, is_active=True).first()
        if matter_obj is None:
            errors["matter"] = _("Unknown matter: %(matter)s") % {"matter": matter}
    company_name = clean_text(company_name)
    company_code = uscc.normalize(company_code)
    if company_name or company_code:
        # 涉企诉求: a company is named by both, and its code must be a real one (GB 32100-2015).
        if not company_name:
            errors["company_name"] = _("Give the company's name with its code.")
        elif len(company_name) > 100:
            errors["company_name"] = _("The company name is longer than %(max)d characters.") % {"max": 100}
        why = uscc.problem(company_code)
        if not company_code:
            errors["company_code"] = _("Give the company's unified social credit code.")
        elif why == "check":
            errors["company_code"] = _("“%(code)s” fails its check character: a digit is mistyped.") % {
                "code": company_code[:18]
            }
        elif why:
            errors["company_code"] = _(
                "“%(code)s” is not a unified social credit code (18 characters, digits and capitals)."
            ) % {"code": company_code[:30]}
    now = timezone.now()
    if received_at is not None and received_at > now + CLOCK_SKEW:
        errors["received_at"] = _("The request is dated in the future.")
    if errors:
        raise ValidationError(errors)
    assert channel_obj is not None  # an unknown channel is one of the errors above

    received = received_at or now
    region = place if place is not None else find_place(address, content)
    ticket = Ticket(
        channel=channel_obj,
        external_id=external_id,
        kind=kind,
        title=mask_id_numbers(title)
        if title
        else make_title(content, address=address, matter=matter_obj or title_matter, region=region),
        content=content,
        address=address,
        region=region,
        matter=matter_obj,
        urgency=urgency,
        tier=tier_for(matter_obj, urgency),
        requester_name="" if anonymous else requester_name,
        requester_phone=phone,
        anonymous=anonymous,
        confidential=confidential,
        company_name=company_name,
        company_code=company_code,
        received_at=received,
        registered_by=actor,
        status=Status.REGISTERED,
    )
    try:
        with transaction.atomic():
            ticket.code = next_code(timezone.localtime(received).date(), settings.HOTLINE["CODE_PREFIX"])
            transitions.register(ticket, actor=actor, at=received, data={"channel": channel_obj.code})
    except IntegrityError:
        # The (channel, external id) is taken: a retried delivery, or two deliveries racing. The
        # insert is the check (no SELECT first: this is the hot path), and the first one's ticket
        # is the answer.
        existing = Ticket.objects.filter(channel=channel_obj, external_id=external_id).first() if external_id else None
        if existing is None:
            raise
        return existing, False
    return ticket, True


def answer_directly(
    ticket: Ticket,
    *,
    answer: str,
    matter: Matter | None = None,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
    data: dict | None = None,
) -> None:
    """直接答复: the operator answered from the knowledge base; nothing to dispatch.

    The ticket keeps the matter it has (the operator's choice) or else takes ``matter``, so a
    direct answer counts in the by-matter figures like any other request (M12)."""
    answer = clean_text(answer)
    if not answer:
        raise ValidationError({"answer": _("The answer is empty.")})
    limits.check_lengths(answer=(answer, limits.RESULT))
    now = at or timezone.now()
    changes: dict = {"result": answer, "closed_at": now}
    if ticket.matter_id is None and matter is not None:
        changes["matter"] = matter
    transitions.apply(ticket, "answer", actor=actor, note=answer, at=now, data=data, changes=changes)


def merge_ticket(ticket: Ticket, *, into: Ticket, actor: Actor | None = None, at: dt.datetime | None = None) -> None:
    """Fold a duplicate into another ticket; the duplicate follows its fate from now on."""
    if into.pk == ticket.pk:
        raise ValidationError({"into": _("A ticket cannot be merged into itself.")})
    if into.status in VOID:
        raise ValidationError({"into": _("Ticket %(code)s is merged or invalid itself.") % {"code": into.code}})
    transitions.apply(
        ticket, "merge", actor=actor, at=at, changes={"merged_into": into}, data={"into": into.code}, note=into.code
    )


def invalidate_ticket(
    ticket: Ticket, *, reason: str, actor: Actor | None = None, at: dt.datetime | None = None
) -> None:
    """A prank, a withdrawn request or a matter outside the hotline's scope."""
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the ticket is invalid.")})
    limits.check_lengths(reason=(reason, limits.NOTE))
    transitions.apply(ticket, "invalidate", actor=actor, at=at, note=reason)
