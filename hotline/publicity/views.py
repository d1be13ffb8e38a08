"""The public portal (宣): no login. Submit a request, track it, rate it, read typical cases and
public figures. Nothing personal leaves through these pages."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.clientip import client_ip
from hotline.evaluation.models import DISSATISFIED_GRADES, Revisit
from hotline.knowledge import services as knowledge
from hotline.evaluation.selectors import definitions
from hotline.evaluation.services import record_revisit
from hotline.tickets.models import Status
from hotline.tickets.transitions import TransitionError

from . import services
from .anonymise import anonymise
from .forms import RateForm, SubmitForm, TrackForm
from .selectors import public_figures, published_cases

if TYPE_CHECKING:
    from hotline.tickets.models import Ticket

HOUR = services.HOUR
LOOKUPS_PER_HOUR = 30
FAILED_LOOKUPS_PER_CODE = 5
TRACKED = "publicity_tracked"


def index(request: HttpRequest) -> HttpResponse:
    figures = public_figures()
    return render(
        request,
        "publicity/index.html",
        {"figures": figures, "cases": published_cases()[:4], "track": TrackForm()},
    )


def submit(request: HttpRequest) -> HttpResponse:
    form = SubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket, _new = services.submit_request(
                kind=data["kind"],
                content=data["content"],
                address=data["address"],
                requester_name=data["requester_name"],
                requester_phone=data["requester_phone"],
                anonymous=data["anonymous"],
                challenge=data["challenge"],
                answer=data["answer"],
                nonce=data["nonce"],
                website=data["website"],
                client=client_ip(request),
                photos=data["photos"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            request.session[TRACKED] = [*request.session.get(TRACKED, [])[-9:], ticket.code]
            return render(request, "publicity/submitted.html", {"code": ticket.code})
    # Every showing of the form asks a new question; the nonce stays, so resending the same form
    # after a failure or a double click can never make a second ticket.
    question, token = services.make_challenge()
    nonce = (form.data.get("nonce", "")[:64] if form.is_bound else "") or secrets.token_hex(16)
    return render(
        request,
        "publicity/submit.html",
        {"form": form, "question": question, "token": token, "nonce": nonce},
        status=400 if request.method == "POST" else 200,
    )


def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        # Both limits are taken before the digits are compared, each in one locked step, so 150
        # guesses sent at once are counted one by one and only the first few compared (H3).
        if services.take("track", client_ip(request), limit=LOOKUPS_PER_HOUR, window=HOUR) is None:
            form.add_error(None, _("Too many look-ups; please try again in an hour."))
        elif (guess := services.take("track-fail", code, limit=FAILED_LOOKUPS_PER_CODE, window=HOUR)) is None:
            form.add_error(None, _("Too many look-ups; please try again in an hour."))
        else:
            ticket = services.find_for_requester(code, form.cleaned_data["last4"])
            if ticket is None:
                form.add_error(None, _("No request matches this code and phone number."))
            else:
                guess.delete()  # a right answer is not a failure
                request.session[TRACKED] = [*request.session.get(TRACKED, [])[-9:], ticket.code]
                return redirect("publicity:ticket", code=ticket.code)
    return render(request, "publicity/track.html", {"form": form}, status=400 if form.errors else 200)


def _tracked(request: HttpRequest, code: str) -> Ticket:
    if code not in request.session.get(TRACKED, []):
        raise Http404
    from hotline.tickets.models import Ticket

    return get_object_or_404(Ticket.objects.select_related("lead_unit", "matter", "region"), code=code)


def ticket(request: HttpRequest, code: str) -> HttpResponse:
    """The requester's view of their request, once they proved it is theirs."""
    item = _tracked(request, code)
    names = (item.requester_name,) if item.requester_name else ()
    return render(
        request,
        "publicity/ticket.html",
        {
            "ticket": item,
            "content": anonymise(item.content, names=names),
            "result": anonymise(item.result, names=names),
            "timeline": services.public_timeline(item),
            "rate": RateForm() if item.status == Status.REPLIED else None,
            "rated": item.revisits.filter(outcome=Revisit.Outcome.VALID).exists(),
        },
    )


@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    item = _tracked(request, code)
    form = RateForm(request.POST)
    if not form.is_valid():
        # Each unanswered question says so; nothing is recorded.
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
        return redirect("publicity:ticket", code=code)
    data = form.cleaned_data
    try:
        record_revisit(
            item,
            method=Revisit.Method.SMS,
            contacted=data["contacted"],
            solved=data["solved"],
            satisfaction=data["satisfaction"],
            actionable=data["satisfaction"] in DISSATISFIED_GRADES and not data["solved"],
            note=data["note"],
        )
    except TransitionError:
        messages.error(request, _("This request can no longer be rated."))
    else:
        messages.success(request, _("Thank you: your rating is recorded."))
    return redirect("publicity:ticket", code=code)


def cases(request: HttpRequest) -> HttpResponse:
    return render(request, "publicity/cases.html", {"cases": published_cases()[:50]})


def case(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "publicity/case.html", {"case": get_object_or_404(published_cases(), pk=pk)})


def faq(request: HttpRequest) -> HttpResponse:
    """常见问题: the public searches the centre's published, valid answers (nothing personal)."""
    query = (request.GET.get("q") or "")[:100]
    return render(request, "publicity/faq.html", {"q": query, "items": knowledge.faq(query)})


def figures(request: HttpRequest) -> HttpResponse:
    return render(request, "publicity/figures.html", {"figures": public_figures(), "definitions": definitions()})
