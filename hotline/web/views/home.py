from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hotline.orgs.permissions import role_of

from ..live import live_counts
from ..navigation import HOME

if TYPE_CHECKING:
    from hotline.orgs.permissions import AuthedRequest


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Each role's day starts on its own page; someone without a role sees why they see nothing."""
    target = HOME.get(role_of(request.user) or "")
    if target:
        return redirect(target)
    return render(request, "web/no_role.html", status=403)


def live(request: HttpRequest) -> HttpResponse:
    """The top bar's counts (htmx partial, polled). A visitor whose session ended gets htmx's
    "stop polling" status (286) instead of a login page squeezed into the bar."""
    if not request.user.is_authenticated:
        return HttpResponse(status=286)
    response = render(request, "web/_live.html", {"counts": live_counts(request.user)})
    response["Cache-Control"] = "no-store"
    return response
