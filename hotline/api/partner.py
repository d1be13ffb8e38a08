"""Intake for partner systems (the app, the website, the mailbox, provincial platforms): submit a
request, read its status and a masked timeline, of their own tickets and nothing else."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router

from hotline.intake.services import register_ticket
from hotline.tickets.models import Status, Ticket
from hotline.tickets.transitions import MOVES

from . import schemas
from .errors import not_found
from .idempotency import idempotent
from .models import PartnerClient, Scope, Submission
from .security import need
from .text import masked

router = Router(tags=["intake"])

ERRORS: dict[int | str, Any] = {
    400: schemas.Error,
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    409: schemas.Error,
    429: schemas.Error,
}


def status_of(ticket: Ticket, *, created: bool = False) -> dict[str, Any]:
    shown = ticket.status in (Status.REPLIED, Status.CLOSED, Status.ANSWERED)
    return schemas.TicketStatus(
        code=ticket.code,
        external_id=ticket.external_id,
        status=ticket.status,
        status_label=str(ticket.get_status_display()),
        title=masked(ticket.title),
        received_at=ticket.received_at,
        matter=ticket.matter.name if ticket.matter else None,
        region=ticket.region.name if ticket.region else None,
        lead_unit=ticket.lead_unit.name if ticket.lead_unit else None,
        replied_at=ticket.replied_at,
        closed_at=ticket.closed_at,
        result=masked(ticket.result) if shown else "",
        created=created,
    ).model_dump(mode="json")


def own_ticket(request: HttpRequest, client: PartnerClient, code: str) -> Ticket:
    ticket = (
        Ticket.objects.filter(code=code[:24], pk__in=Submission.objects.filter(client=client).values("ticket"))
        .select_related("matter", "region", "lead_unit")
        .first()
    )
    if ticket is None:
        raise not_found()
    request.api_ticket = ticket.code  # type: ignore[attr-defined]
    return ticket


@router.post("", response={201: schemas.TicketStatus, 200: schemas.TicketStatus, **ERRORS}, summary="提交诉求")
def submit(request: HttpRequest, payload: schemas.TicketIn) -> JsonResponse:
    """Submit a request. The same ``external_id`` from this client's channel always gives the same
    ticket (200 then, 201 when new)."""
    client = need(request, Scope.SUBMIT)

    def run() -> tuple[int, dict[str, Any]]:
        ticket, created = register_ticket(
            channel=client.channel_id,
            content=payload.content,
            title=payload.title,
            kind=payload.kind,
            requester_name=payload.requester_name,
            requester_phone=payload.requester_phone,
            anonymous=payload.anonymous,
            address=payload.address,
            external_id=payload.external_id,
            received_at=payload.received_at,
        )
        if created:
            Submission.objects.create(client=client, ticket=ticket, lat=payload.lat, lon=payload.lon)
        elif not Submission.objects.filter(client=client, ticket=ticket).exists():
            # Another client of the same channel sent this external id first: not ours to read.
            raise not_found()
        request.api_ticket = ticket.code  # type: ignore[attr-defined]
        return (201 if created else 200), status_of(ticket, created=created)

    return idempotent(request, client, run)


@router.get("/{code}", response={200: schemas.TicketStatus, **ERRORS}, summary="查询诉求状态")
def read(request: HttpRequest, code: str) -> dict[str, Any]:
    client = need(request, Scope.READ_OWN)
    return status_of(own_ticket(request, client, code))


@router.get("/{code}/timeline", response={200: schemas.Timeline, **ERRORS}, summary="诉求办理过程（脱敏）")
def timeline(request: HttpRequest, code: str) -> dict[str, Any]:
    """What happened to the ticket, move by move: no notes, no people, only units and statuses."""
    client = need(request, Scope.READ_OWN)
    ticket = own_ticket(request, client, code)
    events = []
    for event in ticket.events.select_related("unit").order_by("seq"):
        move = MOVES.get(event.action)
        events.append(
            {
                "seq": event.seq,
                "action": event.action,
                "action_label": str(move.label) if move else event.action,
                "status": event.to_status,
                "status_label": str(Status(event.to_status).label) if event.to_status in Status.values else "",
                "unit": event.unit.name if event.unit_id else None,
                "at": event.created_at,
            }
        )
    return {"code": ticket.code, "events": events}
