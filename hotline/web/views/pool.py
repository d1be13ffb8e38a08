"""督办池 the supervision pool and ticket search: every ticket the viewer may see, filtered, sorted
and paged on the server, and exported as the same rows to Excel."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import django_filters
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.audit import services as audit
from hotline.catalog.models import Matter, TimeTier
from hotline.intake.models import Channel
from hotline.orgs.models import Region, Unit
from hotline.orgs.permissions import Perm, permission_required
from hotline.supervision import selectors as supervision
from hotline.tabular import append_row
from hotline.tickets import deadlines
from hotline.tickets.models import HANDLING, Status, Ticket, Urgency
from hotline.tickets.selectors import in_area, overdue, requester_visible, tickets_visible_to

from .lists import paged

if TYPE_CHECKING:
    from django.http import HttpRequest

    from hotline.orgs.permissions import AuthedRequest

SORTS: dict[str, tuple[str, ...]] = {
    "due": ("resolve_due",),
    "received": ("received_at",),
    "code": ("code",),
    "unit": ("lead_unit__code",),
    "status": ("status",),
}
POOL_SORTS = {"colour": ("colour_rank", "resolve_due"), "escalation": ("-escalation", "resolve_due"), **SORTS}
_CODE = re.compile(r"[A-Za-z]{1,6}\d{8,}")
_TIERS = [(str(value), label) for value, label in TimeTier.choices]


class TicketFilter(django_filters.FilterSet):
    """Filters shared by the pool and the search page; every choice list is scoped by the caller."""

    q = django_filters.CharFilter(label=gettext_lazy("Code, phone or words"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(label=gettext_lazy("Status"), choices=Status.choices)
    deadline = django_filters.ChoiceFilter(
        label=gettext_lazy("Deadline"),
        choices=[("overdue", gettext_lazy("overdue")), ("due_today", gettext_lazy("due today"))],
        method="filter_deadline",
    )
    lead_unit = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Lead unit"), queryset=Unit.objects.exclude(kind=Unit.Kind.CENTRE).order_by("kind", "code")
    )
    district = django_filters.ModelChoiceFilter(
        label=gettext_lazy("District or county"),
        queryset=Region.objects.filter(level=Region.Level.DISTRICT),
        method="filter_district",
    )
    township = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Township or street"),
        queryset=Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code"),
        method="filter_township",
    )
    area = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Matter area"), queryset=Matter.objects.filter(level=1), method="filter_area"
    )
    channel = django_filters.ModelChoiceFilter(label=gettext_lazy("Channel"), queryset=Channel.objects.all())
    tier = django_filters.ChoiceFilter(label=gettext_lazy("Time tier"), choices=_TIERS, method="filter_tier")
    urgency = django_filters.ChoiceFilter(label=gettext_lazy("Urgency"), choices=Urgency.choices)
    received_from = django_filters.DateFilter(
        label=gettext_lazy("Received from"), field_name="received_at", lookup_expr="date__gte"
    )
    received_to = django_filters.DateFilter(
        label=gettext_lazy("Received to"), field_name="received_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = value.strip()[:50]
        if not value:
            return queryset
        if _CODE.fullmatch(value):
            return queryset.filter(code__iexact=value)
        if value.isdigit() and len(value) >= 4:
            # A phone is matched only on tickets whose requester the viewer sees (H1).
            viewer = getattr(self.request, "user", None)
            phones = Q(requester_phone__endswith=value) & requester_visible(viewer) if viewer else Q(pk__in=[])
            return queryset.filter(phones | Q(code__endswith=value))
        return queryset.filter(Q(title__icontains=value) | Q(address__icontains=value))

    def filter_deadline(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        now = timezone.now()
        if value == "overdue":
            return queryset.filter(overdue(now))
        end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        return queryset.filter(status__in=HANDLING, resolve_due__gte=now, resolve_due__lte=end)

    def filter_tier(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        return queryset.filter(tier=int(value))

    def filter_district(self, queryset: QuerySet[Ticket], name: str, value: Region) -> QuerySet[Ticket]:
        return queryset.filter(in_area(value.code))

    def filter_township(self, queryset: QuerySet[Ticket], name: str, value: Region) -> QuerySet[Ticket]:
        return queryset.filter(in_area(value.code))

    def filter_area(self, queryset: QuerySet[Ticket], name: str, value: Matter) -> QuerySet[Ticket]:
        return queryset.filter(matter__code__startswith=value.code)


def _filtered(request: HttpRequest, base: QuerySet[Ticket]) -> TicketFilter:
    return TicketFilter(request.GET or None, queryset=base, request=request)


def _rows(request: HttpRequest, base: QuerySet[Ticket], template: str, extra: dict[str, Any]) -> HttpResponse:
    filterset = _filtered(request, base)
    # A filter that does not validate shows its error and no rows, never the unfiltered list.
    tickets = base if not filterset.is_bound else filterset.qs if filterset.is_valid() else base.none()
    if request.GET.get("export") == "xlsx":
        audit.record(audit.Kind.EXPORT, request=request, target=request.path, detail=request.GET.urlencode())
        return _export(tickets)
    page, sort = paged(
        request,
        tickets.select_related("channel", "lead_unit", "matter", "region"),
        sorts=POOL_SORTS if extra.get("pool") else SORTS,
        default=extra.pop("default_sort", "due"),
    )
    now = timezone.now()
    for ticket in page:
        deadlines.refresh_states(ticket, now)
    return render(request, template, {"page": page, "sort": sort, "filter": filterset, **extra})


@permission_required(Perm.OVERSEE)
def pool(request: AuthedRequest) -> HttpResponse:
    """督办池: every ticket in a unit's hands that the viewer oversees, red (overdue), yellow (a
    deadline near, or sign-off or contact late) and green, with its supervision orders and the
    latest spot-check findings (``supervision.selectors.pool``)."""
    now = timezone.now()
    base = supervision.pool(request.user, now=now)
    counts = supervision.pool_counts(request.user, now=now)
    findings = supervision.spot_checks(request.user).exclude(finding="")[:8]
    return _rows(
        request,
        base,
        "web/pool.html",
        {"counts": counts, "findings": findings, "default_sort": "colour", "pool": True},
    )


@login_required
def search(request: AuthedRequest) -> HttpResponse:
    """Any ticket the viewer may see, by code, phone, words or filters."""
    return _rows(request, tickets_visible_to(request.user), "web/search.html", {"default_sort": "-received"})


EXPORT_LIMIT = 50_000


def _export(tickets: QuerySet[Ticket]) -> HttpResponse:
    """The filtered rows as an Excel workbook; phones never leave in an export."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Tickets"))
    append_row(
        sheet,
        [
            _("Code"),
            _("Received"),
            _("Channel"),
            _("Title"),
            _("Matter"),
            _("Place"),
            _("Lead unit"),
            _("Status"),
            _("Resolution due"),
        ],
    )
    rows = tickets.select_related("channel", "lead_unit", "matter", "region").order_by("-received_at")[:EXPORT_LIMIT]
    for t in rows.iterator(chunk_size=2000):
        append_row(
            sheet,
            [
                t.code,
                timezone.localtime(t.received_at).strftime("%Y-%m-%d %H:%M"),
                str(t.channel),
                t.title,
                t.matter.path if t.matter else "",
                str(t.region or ""),
                str(t.lead_unit or ""),
                t.get_status_display(),
                timezone.localtime(t.resolve_due).strftime("%Y-%m-%d %H:%M") if t.resolve_due else "",
            ],
        )
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="tickets.xlsx"'
    book.save(response)
    return response
