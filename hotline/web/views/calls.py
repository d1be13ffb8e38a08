"""The phone system on the operator's pages: the incoming call's pop-up (polled by the console),
the call-back list of missed calls, and click-to-call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.calls import selectors
from hotline.calls.models import Call
from hotline.calls.services import request_dial
from hotline.orgs.permissions import Perm, permission_required
from hotline.tickets.selectors import tickets_visible_to

if TYPE_CHECKING:
    from django.http import HttpResponse

    from hotline.orgs.permissions import AuthedRequest

HISTORY = 8


@permission_required(Perm.TAKE_REQUESTS)
def incoming(request: AuthedRequest) -> HttpResponse:
    """The call on the operator's line and the caller's earlier requests (polled every 2 s)."""
    call = selectors.current_call(request.user, now=timezone.now())
    tickets = []
    if call is not None:
        mine = tickets_visible_to(request.user).filter(requester_phone=call.caller)
        tickets = list(mine.select_related("lead_unit").order_by("-received_at")[:HISTORY])
    return render(request, "web/_incoming.html", {"call": call, "tickets": tickets})


@permission_required(Perm.TAKE_REQUESTS)
def callbacks(request: AuthedRequest) -> HttpResponse:
    """回拨清单: missed calls waiting for a call-back, the nearest deadline first."""
    rows = list(selectors.callbacks()[:200])
    now = timezone.now()
    return render(request, "web/callbacks.html", {"calls": rows, "now": now})


@permission_required(Perm.TAKE_REQUESTS)
@require_POST
def dial(request: AuthedRequest) -> HttpResponse:
    """点击拨号: the number of a visible ticket's requester, or of a missed call; never a typed one."""
    code = request.POST.get("ticket", "")[:24]
    call_id = request.POST.get("call", "")[:64]
    ticket = tickets_visible_to(request.user).filter(code=code).first() if code else None
    number = ticket.requester_phone if ticket else ""
    if not number and call_id:
        number = Call.objects.filter(call_id=call_id).values_list("caller", flat=True).first() or ""
    try:
        if not number:
            raise ValidationError(_("There is no number to call."))
        request_dial(number=number, operator=request.user, ticket=ticket)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The phone system is calling; pick up your phone."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("callbacks")
