from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from hotline.orgs.permissions import role_of

from ..navigation import HOME


@login_required
def home(request):
    """Each role's day starts on its own page; someone without a role sees why they see nothing."""
    target = HOME.get(role_of(request.user))
    if target:
        return redirect(target)
    return render(request, "web/no_role.html", status=403)
