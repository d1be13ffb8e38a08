"""话务员 the operator's console: take a call, see the caller's history, get suggestions as they
type, answer from the knowledge base or register for dispatch."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from hotline.catalog.selectors import matters_for_text
from hotline.dispatch import router
from hotline.dispatch.locate import locate
from hotline.calls.services import link_ticket
from hotline.linkage.services import register_and_forward
from hotline.dispatch.services import register_call, register_repeat_call, sure_matter
from hotline.intake.services import make_title, normalize_phone
from hotline.dispatch.suggest import suggest as dispatch_suggest
from hotline.orgs.permissions import Perm, permission_required
from hotline.tickets.models import UNFINISHED, Status
from hotline.tickets.selectors import tickets_visible_to
from hotline.tickets.transitions import TransitionError

from ..forms import RegisterForm

if TYPE_CHECKING:
    from hotline.orgs.permissions import AuthedRequest


@permission_required(Perm.TAKE_REQUESTS)
def console(request: AuthedRequest) -> HttpResponse:
    # Every showing of the form carries a fresh key, kept when the form comes back with an error:
    # sending the same form twice (a retry after a dropped connection) registers one call.
    posted = request.POST.copy() if request.method == "POST" else None
    if posted is not None and not posted.get("key"):  # a page from before keys: one from now on
        posted["key"] = secrets.token_hex(16)
    form = RegisterForm(posted, initial={"channel": "phone_12345", "key": secrets.token_hex(16)})
    if request.method == "POST" and form.is_valid() and request.POST.get("merge_into"):
        merged = _merge_call(request, form)
        if merged is not None:
            return merged
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["forward"]:
                ticket, new = register_and_forward(**_call(data), actor=request.user)
            else:
                ticket, new = register_call(**_call(data), article=data["article"], actor=request.user)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            if request.POST.get("call_id"):
                link_ticket(request.POST["call_id"], ticket, operator=request.user)
            link = format_html('<a href="{}">{}</a>', reverse("ticket-detail", args=[ticket.code]), ticket.code)
            if not new:
                text = _("This call was registered already: %(code)s")
            elif data["forward"]:
                text = _("Forwarded to the other city's centre: %(code)s")
            elif ticket.status == Status.ANSWERED:
                text = _("Answered and closed: %(code)s")
            elif ticket.status == Status.DISPATCHED:
                text = _("Registered and dispatched by the classifier to %(unit)s: %(code)s").replace(
                    "%(unit)s", str(ticket.lead_unit).replace("{", "{{").replace("}", "}}")
                )
            else:
                text = _("Registered: %(code)s")
            messages.success(request, format_html(text.replace("%(code)s", "{}"), link))
            return redirect("console")
    recent = (
        tickets_visible_to(request.user)
        .filter(registered_by=request.user)
        .select_related("channel")
        .order_by("-received_at")[:10]
    )
    return render(request, "web/console.html", {"form": form, "recent": recent}, status=400 if form.errors else 200)


def _merge_call(request: AuthedRequest, form: RegisterForm) -> HttpResponse | None:
    """The likely-repeat panel's "merge into": the call is recorded and folded into the ticket the
    operator chose, which must be one they may see; errors go back onto the form."""
    code = request.POST.get("merge_into", "").strip()[:24]
    original = tickets_visible_to(request.user).filter(code=code).first()
    if original is None:
        form.add_error(None, _("No ticket %(code)s to merge into.") % {"code": code})
        return None
    data = form.cleaned_data
    try:
        ticket, new = register_repeat_call(into=original, **_call(data), actor=request.user)
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return None
    except TransitionError as error:
        form.add_error(None, str(error))
        return None
    links = [
        format_html('<a href="{}">{}</a>', reverse("ticket-detail", args=[t.code]), t.code) for t in (ticket, original)
    ]
    if not new:
        text = _("This call was registered already: %(code)s").replace("%(code)s", "{}")
        messages.success(request, format_html(text, links[0]))
    else:
        text = _("Registered as %(code)s and merged into %(original)s.")
        messages.success(request, format_html(text.replace("%(code)s", "{}").replace("%(original)s", "{}"), *links))
    return redirect("console")


@permission_required(Perm.REGISTER)
def caller(request: AuthedRequest) -> HttpResponse:
    """The caller's earlier tickets; a repeat caller is flagged."""
    try:
        phone = normalize_phone(request.GET.get("requester_phone", "")[:30])
    except ValueError:  # still typing, or not a number: nothing to look up yet
        phone = ""
    tickets = []
    repeat = False
    if phone:
        mine = tickets_visible_to(request.user).filter(requester_phone=phone)
        tickets = list(mine.select_related("matter", "lead_unit").order_by("-received_at")[:8])
        since = timezone.now() - dt.timedelta(days=30)
        repeat = mine.filter(received_at__gte=since).exists() or mine.filter(status__in=UNFINISHED).exists()
    return render(request, "web/_caller.html", {"phone": phone, "tickets": tickets, "repeat": repeat})


@permission_required(Perm.REGISTER)
def suggest(request: AuthedRequest) -> HttpResponse:
    """Matter, place and unit suggestions for the text being typed: the trained classifier's top
    three with its reasons; the catalogue's keywords while no classifier has been trained."""
    content = request.GET.get("content", "")[:2000]
    address = request.GET.get("address", "")[:255]
    typed = bool(content.strip())
    made = dispatch_suggest(content, address) if typed else None
    rows: list[dict[str, Any]]
    if made is not None and made.model_version is not None:
        rows = [
            {"matter": c.matter, "unit": c.unit, "confidence": c.confidence, "reasons": c.reasons}
            for c in made.shown
            if c.matter is not None
        ]
        title = make_title(content, address=address, matter=sure_matter(made), region=made.place.stored)
        return render(
            request,
            "web/_suggest.html",
            {
                "rows": rows,
                "place": made.place,
                "typed": typed,
                "unsure": made.unsure,
                "why": made.reason,
                "title": title,
                "learned": made.learned,
                "decided": made.decided_label,
            },
        )
    place = locate(address, text=content)
    rows = []
    for hit in matters_for_text(f"{address} {content}")[:3]:
        route = router.route(hit.matter, place.region)
        rows.append({"matter": hit.matter, "unit": route.unit, "confidence": None, "reasons": ["、".join(hit.words)]})
    title = make_title(content, address=address, region=place.stored) if typed else ""
    return render(
        request, "web/_suggest.html", {"rows": rows, "place": place, "typed": typed, "unsure": True, "title": title}
    )


def _call(data: dict[str, Any]) -> dict[str, Any]:
    """The console form's call, as every way of registering it takes it: a new ticket, one
    forwarded to another city, or a repeat merged into the ticket it repeats."""
    return {
        "channel": data["channel"].code,
        "content": data["content"],
        "title": data["title"],
        "kind": data["kind"],
        "requester_name": data["requester_name"],
        "requester_phone": data["requester_phone"],
        "anonymous": data["anonymous"],
        "confidential": data["confidential"],
        "address": data["address"],
        "matter": data["matter"],
        "urgency": data["urgency"],
        "idempotency_key": data["key"],
        "company_name": data["company_name"],
        "company_code": data["company_code"],
    }
