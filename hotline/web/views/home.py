from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from hotline.orgs.permissions import role_of

from ..navigation import HOME

if TYPE_CHECKING:
    from django.http import HttpResponse

    from hotline.orgs.permissions import AuthedRequest


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Each role's day starts on its own page; someone without a role sees why they see nothing."""
    target = HOME.get(role_of(request.user) or "")
    if target:
        return redirect(target)
    return render(request, "web/no_role.html", status=403)
