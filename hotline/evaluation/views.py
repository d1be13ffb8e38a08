"""The public rating page a citizen reaches from the SMS link (回访 by SMS)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from hotline import limits
from hotline.tickets.models import Status
from hotline.tickets.transitions import TransitionError

from .links import LinkError, ticket_for_token
from .models import DISSATISFIED_GRADES, Revisit
from .selectors import offered_grades
from .services import record_requester_revisit, record_revisit

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

YES_NO = [("yes", _("yes")), ("no", _("no"))]


class RatingForm(forms.Form):
    # Radio buttons with none checked (M3): the citizen gives every answer; a missing one is named.
    contacted = forms.ChoiceField(
        label=_("Did the unit contact you?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please say whether the unit contacted you.")},
    )
    solved = forms.ChoiceField(
        label=_("Is the problem solved?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please say whether the problem is solved.")},
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you?"),
        choices=(),
        widget=forms.RadioSelect,
        error_messages={"required": _("Please say how satisfied you are.")},
    )
    comment = forms.CharField(
        label=_("Anything to add (optional)"), required=False, max_length=limits.PUBLIC_COMMENT, widget=forms.Textarea
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The grades of the centre's scale (three or five), by the policy in force.
        self.fields["satisfaction"].choices = offered_grades()  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        ticket = ticket_for_token(token)
    except LinkError as exc:
        return render(request, "evaluation/rate.html", {"error": str(exc)}, status=410)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        solved = data["solved"] == "yes"
        if ticket.status == Status.MERGED:
            try:
                record_requester_revisit(
                    ticket,
                    method=Revisit.Method.SMS,
                    contacted=data["contacted"] == "yes",
                    solved=solved,
                    satisfaction=data["satisfaction"],
                    note=data["comment"],
                )
            except (TransitionError, ValidationError):
                return render(
                    request, "evaluation/rate.html", {"error": _("This request has already been rated.")}, status=409
                )
            return render(request, "evaluation/rate.html", {"done": True, "ticket": ticket})
        try:
            record_revisit(
                ticket,
                method=Revisit.Method.SMS,
                contacted=data["contacted"] == "yes",
                solved=solved,
                satisfaction=data["satisfaction"],
                # Dissatisfied with a problem still there: something the unit can act on, so it is redone.
                actionable=data["satisfaction"] in DISSATISFIED_GRADES and not solved,
                note=data["comment"],
            )
        except TransitionError:
            return render(
                request, "evaluation/rate.html", {"error": _("This request has already been rated.")}, status=409
            )
        return render(request, "evaluation/rate.html", {"done": True, "ticket": ticket})
    # A merged ticket's requester reads the reply to the ticket theirs was merged into (并单).
    reply = ticket.merged_into.result if ticket.merged_into is not None else ticket.result
    return render(request, "evaluation/rate.html", {"form": form, "ticket": ticket, "reply": reply})
