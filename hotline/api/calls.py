"""The phone system posts call events (ringing, answered, ended, missed) here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema

from hotline.calls.models import Call
from hotline.calls.services import record_event

from .idempotency import idempotent
from .partner import ERRORS
from .security import need

router = Router(tags=["calls"])


class CallEventIn(Schema):
    call_id: str = Field(max_length=64)
    event: str = Field(pattern="^(ringing|answered|ended|missed)$")
    caller: str = Field(max_length=40, description="the caller's number")
    operator: str = Field("", max_length=150, description="the agent's username on the platform")
    recording: str = Field("", max_length=300, description="a link to the recording (on ended)")
    at: dt.datetime | None = None


class CallOut(Schema):
    call_id: str
    state: str
    caller: str
    operator: str | None
    recording: str
    ticket: str | None
    callback_due: dt.datetime | None


def _shown(call: Call) -> dict[str, Any]:
    return CallOut(
        call_id=call.call_id,
        state=call.state,
        caller=call.caller,
        operator=call.operator.get_username() if call.operator else None,
        recording=call.recording,
        ticket=call.ticket.code if call.ticket else None,
        callback_due=call.callback_due,
    ).model_dump(mode="json")


@router.post("/events", response={200: CallOut, **ERRORS}, summary="话务事件")
def event(request: HttpRequest, payload: CallEventIn) -> JsonResponse:
    client = need(request, "calls")

    def run() -> tuple[int, dict[str, Any]]:
        call = record_event(
            call_id=payload.call_id,
            event=payload.event,
            caller=payload.caller,
            operator=payload.operator,
            recording=payload.recording,
            at=payload.at,
        )
        return 200, _shown(call)

    return idempotent(request, client, run)
