"""The API's input and output shapes (OpenAPI components)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class Error(Schema):
    code: str = Field(description="stable, machine-readable")
    message: str = Field(description="in Chinese, for people")
    fields: dict[str, list[str]] | None = None


class TicketIn(Schema):
    content: str = Field(max_length=20000, description="the request in the citizen's words")
    external_id: str | None = Field(None, max_length=64, description="your id: the same id never makes a second ticket")
    title: str = Field("", max_length=200)
    kind: str = Field("help", max_length=16, description="consultation, help, complaint, report, suggestion, praise")
    requester_name: str = Field("", max_length=200)
    requester_phone: str = Field("", max_length=40)
    anonymous: bool = False
    address: str = Field("", max_length=1000)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    received_at: dt.datetime | None = None


class TicketStatus(Schema):
    code: str
    external_id: str | None
    status: str
    status_label: str
    title: str
    received_at: dt.datetime
    matter: str | None
    region: str | None
    lead_unit: str | None
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None
    result: str = Field(description="the unit's reply, once it replied (ID numbers masked)")
    created: bool = Field(False, description="true when this call made the ticket")


class TimelineEntry(Schema):
    seq: int
    action: str
    action_label: str
    status: str
    status_label: str
    unit: str | None
    at: dt.datetime


class Timeline(Schema):
    code: str
    events: list[TimelineEntry]


class WorkTicket(Schema):
    code: str
    status: str
    status_label: str
    title: str
    content: str
    address: str
    matter: str | None
    urgency: str
    requester_name: str
    requester_phone: str
    received_at: dt.datetime
    sign_due: dt.datetime | None
    contact_due: dt.datetime | None
    resolve_due: dt.datetime | None
    extension_pending: bool
    role: str = Field(description="lead or co")


class Inbox(Schema):
    view: str
    count: int
    tickets: list[WorkTicket]


class NoteIn(Schema):
    note: str = Field(max_length=5000)


class ReasonIn(Schema):
    reason: str = Field(max_length=5000)


class ExtensionIn(Schema):
    days: int = Field(ge=1, le=30)
    reason: str = Field(max_length=5000)


class ReplyIn(Schema):
    result: str = Field(max_length=20000)
