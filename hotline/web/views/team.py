"""负责人 the unit manager's team page: each handler's load and deadlines, and the replies waiting
for review. The figures are ``handling.selectors.team``; each links to the inbox or the ticket."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.shortcuts import render

from hotline.handling import selectors as handling_selectors
from hotline.orgs.permissions import Perm, permission_required, unit_of

if TYPE_CHECKING:
    from hotline.orgs.permissions import AuthedRequest


@permission_required(Perm.MANAGE_UNIT)
def team(request: AuthedRequest) -> HttpResponse:
    members = handling_selectors.team(request.user)
    context = {
        "unit": unit_of(request.user),
        "members": members,
        "totals": {
            "open": sum(m.open for m in members),
            "red": sum(m.red for m in members),
            "yellow": sum(m.yellow for m in members),
            "week": sum(m.due_this_week for m in members),
        },
        "drafts": handling_selectors.drafts_to_review(request.user),
    }
    return render(request, "web/team.html", context)
