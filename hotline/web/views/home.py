from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from ..roles import HOME, role_of


@login_required
def home(request):
    """Each role's day starts on its own page; someone without a role sees why they see nothing."""
    target = HOME.get(role_of(request.user))
    if target:
        return redirect(target)
    return render(request, "web/no_role.html", status=403)
