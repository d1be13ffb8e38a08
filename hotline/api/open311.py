"""Open311 GeoReport v2 at /open311/v2/: discovery, services (the catalogue's leaves), service
definitions, requests (POST with ``api_key``, GET with filters, GET one) and tokens, in JSON and
XML, with the spec's error format (``[{"code": 404, "description": "..."}]``).

Reads are public, so they show only requests that came in through a partner (Open311 or the
JSON API), never a confidential one, and never the requester or the citizen's own words: the
description is the ticket's title (place and problem, ID and phone numbers masked).
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hotline.catalog.models import Matter
from hotline.intake.services import register_ticket
from hotline.tickets.models import Status, Ticket

from .errors import ApiError
from .idempotency import idempotent
from .models import Scope, Submission
from .security import authenticate
from .text import masked

CLOSED = (Status.CLOSED, Status.ANSWERED, Status.MERGED, Status.INVALID)
MAX_SPAN = dt.timedelta(days=90)
LIMIT = 1000
FORMATS = ("json", "xml")


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


# --- rendering ------------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    node = ET.SubElement(parent, name)
    if isinstance(value, list):
        item = {"keywords": "keyword", "values": "value", "attributes": "attribute"}.get(name, "item")
        for v in value:
            _xml_dict(ET.SubElement(node, item), v) if isinstance(v, dict) else _xml_value(node, item, v)
        node.extend([])
    elif isinstance(value, dict):
        _xml_dict(node, value)
    elif value is None:
        node.text = ""
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    else:
        node.text = str(value)


def _xml_dict(node: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        _xml_value(node, key, value)


def render(fmt: str, data: Any, *, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    top = ET.Element(root)
    for entry in data if isinstance(data, list) else [data]:
        _xml_dict(ET.SubElement(top, item) if isinstance(data, list) else top, entry)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8", xml_declaration=False)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def endpoint(methods: list[str]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A GeoReport view: its format from the URL, the jurisdiction checked, errors in the spec's
    shape (never a 500 for bad input)."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @require_http_methods(methods)
        def run(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if fmt not in FORMATS:
                    raise Open311Error(404, _("The format must be json or xml."))
                params = request.POST if request.method == "POST" else request.GET
                jurisdiction = params.get("jurisdiction_id")
                if jurisdiction and jurisdiction != settings.OPEN311_JURISDICTION:
                    raise Open311Error(404, _("Unknown jurisdiction_id."))
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                error = exc
            except ApiError as exc:
                request.api_error_code = exc.code  # type: ignore[attr-defined]
                error = Open311Error(exc.status, exc.message)
            except ValidationError as exc:
                messages = [
                    f"{k}: {m}" for k, ms in getattr(exc, "message_dict", {"": exc.messages}).items() for m in ms
                ]
                error = Open311Error(400, "；".join(messages))
            body = [{"code": error.status, "description": error.description}]
            return render("json" if fmt not in FORMATS else fmt, body, root="errors", item="error", status=error.status)

        return run

    return wrap


def _time(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- services -------------------------------------------------------------------------------------


def _leaves() -> QuerySet[Matter]:
    return Matter.objects.filter(is_leaf=True, is_active=True).order_by("code")


def _groups() -> dict[str, str]:
    return dict(Matter.objects.filter(level=1).values_list("code", "name"))


def _service(matter: Matter, groups: dict[str, str]) -> dict[str, Any]:
    return {
        "service_code": matter.code,
        "service_name": matter.name,
        "description": matter.path or matter.name,
        "metadata": False,
        "type": "realtime",
        "keywords": matter.keyword_list(),
        "group": groups.get(matter.code[:2], ""),
    }


@endpoint(["GET"])
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": "2026-11-30T00:00:00+08:00",
        "contact": _("The 12345 hotline centre; see docs/api.md."),
        "key_service": _("Ask the centre for an API client (the admin's partner clients)."),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-11-30T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(fmt, data, root="discovery", item="endpoint")


@endpoint(["GET"])
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    groups = _groups()
    return render(fmt, [_service(m, groups) for m in _leaves()], root="services", item="service")


@endpoint(["GET"])
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    if not _leaves().filter(code=code[:16]).exists():
        raise Open311Error(404, _("Unknown service_code."))
    # No extra attributes: the description, the address and the requester say everything.
    return render(fmt, {"service_code": code, "attributes": []}, root="service_definition", item="attribute")


# --- requests -------------------------------------------------------------------------------------


def _public() -> QuerySet[Ticket]:
    return Ticket.objects.filter(pk__in=Submission.objects.values("ticket"), confidential=False).exclude(
        status__in=(Status.MERGED, Status.INVALID)
    )


def _request(ticket: Ticket, submission: Submission | None, updated: dt.datetime | None) -> dict[str, Any]:
    return {
        "service_request_id": ticket.code,
        "status": "closed" if ticket.status in CLOSED else "open",
        "status_notes": str(ticket.get_status_display()),
        "service_name": ticket.matter.name if ticket.matter else "",
        "service_code": ticket.matter.code if ticket.matter else "",
        "description": masked(ticket.title),
        "agency_responsible": ticket.lead_unit.name if ticket.lead_unit else "",
        "service_notice": "",
        "requested_datetime": _time(ticket.received_at),
        "updated_datetime": _time(updated or ticket.received_at),
        "expected_datetime": _time(ticket.resolve_due),
        "address": ticket.region.name if ticket.region else "",
        "address_id": "",
        "zipcode": "",
        "lat": submission.lat if submission else None,
        "long": submission.lon if submission else None,
        "media_url": "",
    }


def _rows(tickets: QuerySet[Ticket]) -> list[dict[str, Any]]:
    tickets = tickets.select_related("matter", "lead_unit", "region").annotate(updated=Max("events__created_at"))
    rows = list(tickets.order_by("-received_at")[:LIMIT])
    subs = {s.ticket_id: s for s in Submission.objects.filter(ticket__in=[t.pk for t in rows])}
    return [_request(t, subs.get(t.pk), getattr(t, "updated", None)) for t in rows]


def _date(params: Any, name: str) -> dt.datetime | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(
            400, _("%(name)s must be a W3C date and time, e.g. 2026-12-01T00:00:00+08:00.") % {"name": name}
        )
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@endpoint(["GET", "POST"])
def requests_(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    tickets = _public()
    ids = [i.strip()[:24] for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        return render(fmt, _rows(tickets.filter(code__in=ids[:100])), root="service_requests", item="request")
    codes = [c.strip()[:16] for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        tickets = tickets.filter(matter__code__in=codes)
    start, end = _date(params, "start_date"), _date(params, "end_date")
    end = end or (start + MAX_SPAN if start else timezone.now())
    start = start or end - MAX_SPAN
    if start > end or end - start > MAX_SPAN:
        raise Open311Error(400, _("start_date must precede end_date by at most 90 days."))
    tickets = tickets.filter(received_at__gte=start, received_at__lte=end)
    wanted = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if wanted - {"open", "closed"}:
        raise Open311Error(400, _("status is open or closed."))
    if wanted == {"open"}:
        tickets = tickets.exclude(status__in=CLOSED)
    elif wanted == {"closed"}:
        tickets = tickets.filter(status__in=CLOSED)
    return render(fmt, _rows(tickets), root="service_requests", item="request")


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    client = authenticate(request, params.get("api_key", ""))
    if Scope.SUBMIT not in client.scope_set:
        raise Open311Error(403, _("This api_key may not submit requests."))
    code = params.get("service_code", "").strip()
    matter = _leaves().filter(code=code[:16]).first() if code else None
    if matter is None:
        raise Open311Error(400, _("service_code is missing or unknown."))
    lat, lon = _coordinate(params, "lat", 90), _coordinate(params, "long", 180)
    address = params.get("address_string", "").strip()
    if not address and lat is None:
        raise Open311Error(400, _("Give a location: lat and long, or address_string."))
    name = " ".join(p for p in (params.get("last_name", "").strip(), params.get("first_name", "").strip()) if p)
    phone = params.get("phone", "").strip()

    def run() -> tuple[int, dict[str, Any]]:
        ticket, created = register_ticket(
            channel=client.channel_id,
            content=params.get("description", ""),
            requester_name=name,
            requester_phone=phone,
            anonymous=not phone,
            address=address,
            matter=matter,
            external_id=params.get("service_request_id") or None,
        )
        if created:
            submission = Submission.objects.create(client=client, ticket=ticket, lat=lat, lon=lon)
        else:
            submission = Submission.objects.filter(client=client, ticket=ticket).first()  # type: ignore[assignment]
            if submission is None:
                raise Open311Error(409, _("This request id belongs to another client."))
        request.api_ticket = ticket.code  # type: ignore[attr-defined]
        return 201, {
            "rows": [
                {
                    "service_request_id": ticket.code,
                    "token": f"T{submission.pk}",
                    "service_notice": "",
                    "account_id": None,
                }
            ]
        }

    if request.headers.get("Idempotency-Key"):
        response = idempotent(request, client, run)
        rows = json.loads(response.content)["rows"]
    else:
        rows = run()[1]["rows"]
    return render(fmt, rows, root="service_requests", item="request", status=201)


def _coordinate(params: Any, name: str, bound: int) -> float | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, _("%(name)s is not a number.") % {"name": name})
    if not -bound <= value <= bound:
        raise Open311Error(400, _("%(name)s is out of range.") % {"name": name})
    return value


@endpoint(["GET"])
def request_one(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    rows = _rows(_public().filter(code=code[:24]))
    if not rows:
        raise Open311Error(404, _("Unknown service_request_id."))
    return render(fmt, rows, root="service_requests", item="request")


@endpoint(["GET"])
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    pk = token[1:] if token.startswith("T") else ""
    submission = (
        Submission.objects.filter(pk=int(pk)).select_related("ticket").first()
        if pk.isdigit() and len(pk) < 12
        else None
    )
    if submission is None:
        raise Open311Error(404, _("Unknown token."))
    rows = [{"service_request_id": submission.ticket.code, "token": token}]
    return render(fmt, rows, root="service_requests", item="request")


urlpatterns = [
    path("discovery.<str:fmt>", discovery, name="open311-discovery"),
    path("services.<str:fmt>", services, name="open311-services"),
    path("services/<str:code>.<str:fmt>", service_definition, name="open311-service"),
    path("requests.<str:fmt>", requests_, name="open311-requests"),
    path("requests/<str:code>.<str:fmt>", request_one, name="open311-request"),
    path("tokens/<str:token>.<str:fmt>", token, name="open311-token"),
]
