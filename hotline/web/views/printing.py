"""Print: the A4 ticket sheet (工单) and the supervision notices (催办/督办/通报) of a ticket, as pages
made for paper (``@page`` A4). A browser prints them or saves them as PDF; the Word notices stay
for staff who edit a notice before it is issued."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from hotline.supervision import notices
from hotline.supervision import selectors as supervision
from hotline.text import mask_personal
from hotline.tickets import deadlines

from .ticket import _visible, requester_shown

if TYPE_CHECKING:
    from django.http import HttpResponse

    from hotline.orgs.permissions import AuthedRequest


@login_required
def ticket_sheet(request: AuthedRequest, code: str) -> HttpResponse:
    """The ticket as one A4 sheet: facts, deadlines, units, the request, the result, the timeline
    and the orders; masked for the viewer exactly as the ticket page is."""
    ticket = _visible(request, code)
    shows, name, phone = requester_shown(request, ticket, purpose="print")
    now = timezone.now()
    deadlines.refresh_states(ticket, now)
    context = {
        "ticket": ticket,
        "name": name,
        "phone": phone,
        "content": ticket.content if shows else mask_personal(ticket.content),
        "result": ticket.result if shows else mask_personal(ticket.result),
        "assignments": ticket.assignments.select_related("unit").order_by("id"),
        "events": ticket.events.select_related("actor", "unit").order_by("seq"),
        "escalations": supervision.escalations(ticket),
        "printed_at": now,
    }
    return render(request, "web/print_ticket.html", context)


@login_required
def order_sheet(request: AuthedRequest, code: str, pk: int) -> HttpResponse:
    """One supervision order of the ticket as the notice the unit receives."""
    ticket = _visible(request, code)
    order = get_object_or_404(supervision.escalations(ticket), pk=pk)
    context = {
        "ticket": ticket,
        "order": order,
        "title": notices.order_title(order),
        "rows": notices.order_rows(order),
        "request_text": notices.order_request(),
        "printed_at": timezone.now(),
    }
    return render(request, "web/print_order.html", context)
