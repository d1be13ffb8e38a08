from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.evaluation.models import Revisit
from hotline.evaluation.selectors import three_rates
from hotline.tickets.models import PersonalDataAccess, Status
from hotline.tickets.selectors import can_see_requester, mask_phone, tickets_visible_to


@login_required
def home(request):
    tickets = tickets_visible_to(request.user)
    now = timezone.localtime()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month = today.replace(day=1)
    last30 = today - dt.timedelta(days=29)
    counts = dict(tickets.values_list("status").annotate(n=Count("id")).order_by())
    context = {
        "today_count": tickets.filter(received_at__gte=today).count(),
        "month_count": tickets.filter(received_at__gte=month).count(),
        "total": sum(counts.values()),
        "by_status": [(label, counts.get(value, 0)) for value, label in Status.choices],
        # Overdue by the clock, not only by the stored state: a ticket nobody touched has no event
        # to turn it red until the supervision scanner runs.
        "overdue": tickets.filter(
            status__in=[Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED], resolve_due__lt=now
        ).count(),
        "rates": three_rates(Revisit.objects.filter(ticket__in=tickets, recorded_at__gte=last30)),
        "recent": tickets.select_related("channel", "lead_unit", "matter").order_by("-received_at")[:20],
    }
    return render(request, "web/home.html", context)


@login_required
def ticket_detail(request, code: str):
    ticket = (
        tickets_visible_to(request.user)
        .select_related("channel", "lead_unit", "matter", "region")
        .filter(code=code)
        .first()
    )
    if ticket is None:
        raise Http404
    shows = can_see_requester(request.user, ticket)
    masked_phone = mask_phone(ticket.requester_phone, confidential=ticket.confidential)
    if shows and (ticket.requester_phone or ticket.requester_name):
        PersonalDataAccess.objects.create(ticket=ticket, viewer=request.user, purpose="ticket_page")
    return render(
        request,
        "web/ticket.html",
        {
            "ticket": ticket,
            "phone": ticket.requester_phone if shows else masked_phone,
            "name": ticket.requester_name if shows else (_("confidential") if ticket.confidential else "**"),
            "events": ticket.events.select_related("actor", "unit").order_by("seq"),
            "assignments": ticket.assignments.select_related("unit").order_by("id"),
        },
    )
