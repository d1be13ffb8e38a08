"""督办池 the supervision pool and ticket search: every ticket the viewer may see, filtered, sorted
and paged on the server, and exported as the same rows to Excel."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from hotline.audit import services as audit
from hotline.catalog.models import Matter, TimeTier
from hotline.intake.models import Channel
from hotline.orgs import areas
from hotline.orgs.models import Region, Unit
from hotline.orgs.permissions import Perm, permission_required
from hotline.supervision import selectors as supervision
from hotline.tabular import append_row
from hotline.tickets import deadlines
from hotline.tickets.models import HANDLING, IN_POOL, Status, Ticket, Urgency
from hotline.tickets.selectors import in_area, overdue, requester_visible, tickets_visible_to

from ..pickers import PickField
from .lists import ordered, paged

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


class PickFilter(django_filters.Filter):
    """A filter over one entry of a picker (``web.pickers``), given by its code or name."""

    field_class = PickField


class TownshipSelect(forms.Select):
    """The township list, each option tagged with its district, so the page can narrow it (m3)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):  # type: ignore[no-untyped-def]
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-district"] = instance.parent_id or ""
        return option


class TicketFilterForm(forms.Form):
    """Checks that the filters agree with each other: a township inside the chosen district, dates
    in order. A value that does not validate shows an error beside its field (m3)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        district, township = data.get("district"), data.get("township")
        if district and township and township.parent_id != district.code:
            self.add_error(
                "township", _("%(township)s is not in %(district)s.") % {"township": township, "district": district}
            )
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end date is before the start date."))
        return data


class TicketFilter(django_filters.FilterSet):
    """Filters shared by the pool and the search page; every choice list is scoped by the caller.

    ``statuses`` are those the page's tickets can have: the pool offers no closed state (m3)."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Code, phone or words"),
        method="filter_q",
        # "/" puts the cursor here, as on every list page with a search box (m4).
        widget=forms.TextInput(attrs={"type": "search", "data-key": "/", "autocomplete": "off"}),
    )
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Status"), choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    deadline = django_filters.ChoiceFilter(
        label=gettext_lazy("Due state"),
        choices=[("overdue", gettext_lazy("overdue")), ("due_today", gettext_lazy("due today"))],
        method="filter_deadline",
    )
    # Typed or picked as you type (``web.pickers``): 265 units and 598 matters are no list to scroll.
    lead_unit = PickFilter(kind="unit", label=gettext_lazy("Lead unit"), method="filter_lead_unit")
    district = django_filters.ModelChoiceFilter(
        label=gettext_lazy("District or county"),
        queryset=Region.objects.filter(level=Region.Level.DISTRICT),
        method="filter_district",
    )
    township = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Township or street"),
        queryset=Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code"),
        method="filter_township",
        widget=TownshipSelect,
    )
    area = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Matter area"), queryset=Matter.objects.filter(level=1), method="filter_area"
    )
    matter = PickFilter(kind="matter", label=pgettext_lazy("filter", "Matter or category"), method="filter_matter")
    place = django_filters.ChoiceFilter(
        label=gettext_lazy("Place"),
        choices=[("none", gettext_lazy("No place")), ("city", gettext_lazy("Whole city, no district"))],
        method="filter_place",
    )
    channel = django_filters.ModelChoiceFilter(label=gettext_lazy("Channel"), queryset=Channel.objects.all())
    tier = django_filters.ChoiceFilter(label=gettext_lazy("Time tier"), choices=_TIERS, method="filter_tier")
    urgency = django_filters.ChoiceFilter(label=gettext_lazy("Urgency"), choices=Urgency.choices)
    received_from = django_filters.DateFilter(
        label=gettext_lazy("Received from"),
        field_name="received_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = django_filters.DateFilter(
        label=gettext_lazy("Received to"),
        field_name="received_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, statuses: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if statuses is not None:
            field = self.form.fields["status"]
            field.choices = [(value, label) for value, label in Status.choices if value in statuses]

    class Meta:
        model = Ticket
        fields: list[str] = []
        form = TicketFilterForm

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

    def filter_lead_unit(self, queryset: QuerySet[Ticket], name: str, value: Unit) -> QuerySet[Ticket]:
        return queryset.filter(lead_unit=value)

    def filter_matter(self, queryset: QuerySet[Ticket], name: str, value: Matter) -> QuerySet[Ticket]:
        # Codes nest two digits a level: a category or group takes every matter filed under it.
        return queryset.filter(matter__code__startswith=value.code)

    def filter_place(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        """The dashboard's district rows that are no district: no place at all (未定位), or placed
        at the city with no district (``orgs.areas``)."""
        if value == "none":
            return queryset.filter(region=None)
        return queryset.exclude(region=None).annotate(_district=areas.district_code("region_id")).filter(_district=None)

    def filter_area(self, queryset: QuerySet[Ticket], name: str, value: Matter) -> QuerySet[Ticket]:
        return queryset.filter(matter__code__startswith=value.code)


def _filtered(request: HttpRequest, base: QuerySet[Ticket], statuses: tuple[str, ...] | None) -> TicketFilter:
    data = request.GET.copy()
    for key in ("sort", "page", "export"):  # the list's own parameters, not filters
        data.pop(key, None)
    return TicketFilter(data or None, queryset=base, statuses=statuses, request=request)


def _rows(request: HttpRequest, base: QuerySet[Ticket], template: str, extra: dict[str, Any]) -> HttpResponse:
    filterset = _filtered(request, base, extra.pop("statuses", None))
    # A filter that does not validate shows its error and no rows, never the unfiltered list.
    tickets = base if not filterset.is_bound else filterset.qs if filterset.is_valid() else base.none()
    sorts, default = (POOL_SORTS if extra.get("pool") else SORTS), extra.pop("default_sort", "due")
    if request.GET.get("export") == "xlsx":
        audit.record(audit.Kind.EXPORT, request=request, target=request.path, detail=request.GET.urlencode())
        # The rows of the screen in the screen's order (m15).
        return _export(ordered(request, tickets, sorts=sorts, default=default)[0], name=extra.get("export_name", ""))
    page, sort = paged(
        request,
        tickets.select_related("channel", "lead_unit", "matter", "region"),
        sorts=sorts,
        default=default,
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
    late_transfers = supervision.late_transfers(request.user, now=now)
    return _rows(
        request,
        base,
        "web/pool.html",
        {
            "counts": counts,
            "findings": findings,
            "default_sort": "colour",
            "pool": True,
            "statuses": IN_POOL,
            "export_name": "pool",
            "late_transfers": late_transfers[:20],
            "late_transfer_count": late_transfers.count(),
        },
    )


@login_required
def search(request: AuthedRequest) -> HttpResponse:
    """Any ticket the viewer may see, by code, phone, words or filters."""
    return _rows(
        request,
        tickets_visible_to(request.user),
        "web/search.html",
        {"default_sort": "-received", "export_name": "tickets"},
    )


EXPORT_LIMIT = 50_000


def _export(tickets: QuerySet[Ticket], *, name: str) -> HttpResponse:
    """The filtered rows as an Excel workbook, in the order given; phones never leave in an export.
    The file is named after the list and the minute it was taken (m15)."""
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
    rows = tickets.select_related("channel", "lead_unit", "matter", "region")[:EXPORT_LIMIT]
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
    taken = timezone.localtime()
    response["Content-Disposition"] = f'attachment; filename="{name or "tickets"}-{taken:%Y%m%d-%H%M}.xlsx"'
    book.save(response)
    return response
