"""Departments with their own systems: pull the unit's inbox; sign, contact, ask for more time,
return and reply, through the same services as the inbox page, for their unit's tickets only.

A unit client acts through its account, a unit handler's Staff row of its unit: the same
``tickets_visible_to`` and ``can_see_requester`` as a person at that unit, and its name on every
event it makes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from hotline.dispatch.returns import return_ticket
from hotline.handling import selectors as handling
from hotline.handling import services as work
from hotline.orgs.models import Unit
from hotline.tickets.models import Ticket
from hotline.tickets.selectors import can_see_requester, mask_phone, tickets_visible_to

from . import schemas
from .errors import ApiError, not_found
from .idempotency import idempotent
from .models import PartnerClient, Scope
from .partner import ERRORS
from .text import masked

router = Router(tags=["unit"])
INBOX_LIMIT = 200


def acting(request: HttpRequest) -> tuple[PartnerClient, User, Unit]:
    from .security import need

    client = need(request, Scope.UNIT_WORK)
    if client.account is None or client.unit is None:
        raise ApiError(403, "no_unit", _("This client acts for no unit."))
    return client, client.account, client.unit


def work_ticket(ticket: Ticket, viewer: User, unit: Unit) -> dict[str, Any]:
    open_requester = can_see_requester(viewer, ticket)
    return schemas.WorkTicket(
        code=ticket.code,
        status=ticket.status,
        status_label=str(ticket.get_status_display()),
        title=masked(ticket.title),
        content=ticket.content if open_requester else masked(ticket.content),
        address=ticket.address,
        matter=ticket.matter.name if ticket.matter else None,
        urgency=ticket.urgency,
        requester_name=ticket.requester_name if open_requester else ("*" if ticket.requester_name else ""),
        requester_phone=ticket.requester_phone
        if open_requester
        else mask_phone(ticket.requester_phone, confidential=ticket.confidential),
        received_at=ticket.received_at,
        sign_due=ticket.sign_due,
        contact_due=ticket.contact_due,
        resolve_due=ticket.resolve_due,
        extension_pending=ticket.extension_pending,
        role="lead" if ticket.lead_unit_id == unit.pk else "co",
    ).model_dump(mode="json")


def visible(request: HttpRequest, viewer: User, code: str) -> Ticket:
    ticket = tickets_visible_to(viewer).filter(code=code[:24]).select_related("matter").first()
    if ticket is None:
        raise not_found()
    request.api_ticket = ticket.code  # type: ignore[attr-defined]
    return ticket


@router.get("/inbox", response={200: schemas.Inbox, **ERRORS}, summary="本单位待办")
def inbox(request: HttpRequest, view: str = Query("open", pattern="^(open|co|done)$")) -> dict[str, Any]:
    """``open``: led by the unit and in its hands; ``co``: an open co-handling task; ``done``:
    replied or closed. Oldest first, at most 200."""
    _client, viewer, unit = acting(request)
    rows = handling.inbox(viewer, view).select_related("matter").order_by("received_at")
    tickets = [work_ticket(t, viewer, unit) for t in rows[:INBOX_LIMIT]]
    return {"view": view, "count": rows.count(), "tickets": tickets}


@router.get("/tickets/{code}", response={200: schemas.WorkTicket, **ERRORS}, summary="工单详情")
def detail(request: HttpRequest, code: str) -> dict[str, Any]:
    _client, viewer, unit = acting(request)
    return work_ticket(visible(request, viewer, code), viewer, unit)


def act(request: HttpRequest, code: str, do: Callable[[Ticket, User, Unit], None]) -> JsonResponse:
    client, viewer, unit = acting(request)

    def run() -> tuple[int, dict[str, Any]]:
        ticket = visible(request, viewer, code)
        do(ticket, viewer, unit)
        ticket.refresh_from_db()
        return 200, work_ticket(ticket, viewer, unit)

    return idempotent(request, client, run)


@router.post("/tickets/{code}/sign", response={200: schemas.WorkTicket, **ERRORS}, summary="签收")
def sign(request: HttpRequest, code: str) -> JsonResponse:
    return act(request, code, lambda t, actor, unit: work.sign(t, unit=unit, actor=actor))


@router.post("/tickets/{code}/contact", response={200: schemas.WorkTicket, **ERRORS}, summary="联系群众")
def contact(request: HttpRequest, code: str, payload: schemas.NoteIn) -> JsonResponse:
    return act(request, code, lambda t, actor, unit: work.record_contact(t, unit=unit, note=payload.note, actor=actor))


@router.post("/tickets/{code}/extension", response={200: schemas.WorkTicket, **ERRORS}, summary="申请延期")
def extension(request: HttpRequest, code: str, payload: schemas.ExtensionIn) -> JsonResponse:
    def do(t: Ticket, actor: User, unit: Unit) -> None:
        work.request_extension(t, unit=unit, days=payload.days, reason=payload.reason, actor=actor)

    return act(request, code, do)


@router.post("/tickets/{code}/return", response={200: schemas.WorkTicket, **ERRORS}, summary="退单")
def return_(request: HttpRequest, code: str, payload: schemas.ReasonIn) -> JsonResponse:
    return act(request, code, lambda t, actor, unit: return_ticket(t, unit=unit, reason=payload.reason, actor=actor))


@router.post("/tickets/{code}/reply", response={200: schemas.WorkTicket, **ERRORS}, summary="办结答复")
def reply(request: HttpRequest, code: str, payload: schemas.ReplyIn) -> JsonResponse:
    return act(request, code, lambda t, actor, unit: work.reply(t, unit=unit, result=payload.result, actor=actor))
