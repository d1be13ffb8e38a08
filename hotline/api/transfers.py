"""110 ↔ 12345 (and 119, 120, 122, other cities' centres) through the API: the other side pulls
what we transferred to it, sends its receipt and feedback, and sends us its non-police cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from hotline.linkage import services as linkage
from hotline.linkage.models import Agency, Direction, LinkageMatter, Transfer
from hotline.tickets.models import Status

from .errors import ApiError
from .idempotency import idempotent
from .models import PartnerClient, Scope
from .partner import ERRORS
from .security import need
from .text import masked

router = Router(tags=["transfers"])


class TransferOut(Schema):
    id: int
    direction: str
    ticket: str
    their_ref: str
    matter: str | None
    reason: str
    content: str = Field(description="the request (a transfer out), ID numbers masked")
    address: str
    requester_name: str
    requester_phone: str
    sent_at: dt.datetime
    due_at: dt.datetime
    received_at: dt.datetime | None
    feedback: str
    feedback_at: dt.datetime | None
    ticket_status: str
    ticket_result: str = Field(description="12345's feedback on an inbound case: the unit's reply")


class TransferList(Schema):
    count: int
    transfers: list[TransferOut]


class CaseIn(Schema):
    case_number: str = Field(max_length=64, description="your case number (接警编号)")
    content: str = Field(max_length=20000)
    address: str = Field("", max_length=1000)
    requester_name: str = Field("", max_length=200)
    requester_phone: str = Field("", max_length=40)
    matter_id: int | None = Field(None, description="an item of the list of matters that come to 12345")
    received_at: dt.datetime | None = None


class ReceiptIn(Schema):
    their_ref: str = Field(max_length=64)


class FeedbackIn(Schema):
    feedback: str = Field(max_length=20000)


def _agency(request: HttpRequest) -> tuple[PartnerClient, Agency]:
    client = need(request, Scope.TRANSFER)
    if client.agency is None:
        raise ApiError(403, "no_agency", _("This client speaks for no agency."))
    return client, client.agency


def _shown(transfer: Transfer) -> dict[str, Any]:
    ticket = transfer.ticket
    # The requester goes with a transfer out (110 must call them back); an inbound case's caller
    # is 110's own, so nothing is hidden from them either. Only their agency reads a transfer.
    replied = ticket.status in (Status.REPLIED, Status.CLOSED)
    return TransferOut(
        id=transfer.pk,
        direction=transfer.direction,
        ticket=ticket.code,
        their_ref=transfer.their_ref,
        matter=str(transfer.matter) if transfer.matter else None,
        reason=transfer.reason,
        content=masked(ticket.content) if transfer.direction == Direction.OUT else "",
        address=ticket.address,
        requester_name=ticket.requester_name if not ticket.confidential else "",
        requester_phone=ticket.requester_phone if not ticket.confidential else "",
        sent_at=transfer.sent_at,
        due_at=transfer.due_at,
        received_at=transfer.received_at,
        feedback=transfer.feedback,
        feedback_at=transfer.feedback_at,
        ticket_status=ticket.status,
        ticket_result=masked(ticket.result) if replied and transfer.direction == Direction.IN else "",
    ).model_dump(mode="json")


def _theirs(agency: Agency) -> QuerySet[Transfer]:
    return Transfer.objects.filter(agency=agency).select_related("ticket", "matter")


def _one(request: HttpRequest, agency: Agency, pk: int) -> Transfer:
    transfer = _theirs(agency).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if transfer is None:
        raise ApiError(404, "not_found", _("No such transfer for this agency."))
    request.api_ticket = transfer.ticket.code  # type: ignore[attr-defined]
    return transfer


@router.get("", response={200: TransferList, **ERRORS}, summary="转办列表")
def transfers(
    request: HttpRequest,
    direction: str = Query("out", pattern="^(out|in)$"),
    pending: bool = Query(False, description="out: not yet received; in: not yet replied"),
) -> dict[str, Any]:
    _client, agency = _agency(request)
    rows = _theirs(agency).filter(direction=direction).order_by("sent_at")
    if pending:
        rows = (
            rows.filter(received_at=None)
            if direction == Direction.OUT
            else rows.exclude(ticket__status__in=(Status.REPLIED, Status.CLOSED))
        )
    return {"count": rows.count(), "transfers": [_shown(t) for t in rows[:200]]}


@router.get("/{pk}", response={200: TransferOut, **ERRORS}, summary="转办详情")
def transfer(request: HttpRequest, pk: int) -> dict[str, Any]:
    _client, agency = _agency(request)
    return _shown(_one(request, agency, pk))


@router.post("", response={201: TransferOut, 200: TransferOut, **ERRORS}, summary="移交 12345 的非警务警情")
def case_in(request: HttpRequest, payload: CaseIn) -> JsonResponse:
    client, agency = _agency(request)

    def run() -> tuple[int, dict[str, Any]]:
        matter = None
        if payload.matter_id is not None:
            matter = LinkageMatter.objects.filter(pk=payload.matter_id, is_active=True).first()
            if matter is None:
                raise ApiError(400, "invalid", _("Unknown matter."), {"matter_id": [_("Unknown matter.")]})
        transfer, created = linkage.receive_in(
            agency,
            case_number=payload.case_number,
            content=payload.content,
            address=payload.address,
            requester_name=payload.requester_name,
            requester_phone=payload.requester_phone,
            matter=matter,
            received_at=payload.received_at,
        )
        request.api_ticket = transfer.ticket.code  # type: ignore[attr-defined]
        return (201 if created else 200), _shown(transfer)

    return idempotent(request, client, run)


@router.post("/{pk}/receipt", response={200: TransferOut, **ERRORS}, summary="签收 12345 转办")
def receipt(request: HttpRequest, pk: int, payload: ReceiptIn) -> JsonResponse:
    client, agency = _agency(request)

    def run() -> tuple[int, dict[str, Any]]:
        transfer = _one(request, agency, pk)
        linkage.record_receipt(transfer, their_ref=payload.their_ref)
        return 200, _shown(transfer)

    return idempotent(request, client, run)


@router.post("/{pk}/feedback", response={200: TransferOut, **ERRORS}, summary="反馈处置结果")
def feedback(request: HttpRequest, pk: int, payload: FeedbackIn) -> JsonResponse:
    client, agency = _agency(request)

    def run() -> tuple[int, dict[str, Any]]:
        transfer = _one(request, agency, pk)
        linkage.record_feedback(transfer, text=payload.feedback)
        return 200, _shown(transfer)

    return idempotent(request, client, run)
