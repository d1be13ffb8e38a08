"""抽查: the supervisor draws a batch of closed tickets by risk and records what was found on site."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.orgs.permissions import Perm, permission_required
from hotline.supervision import selectors as supervision
from hotline.supervision.models import SpotCheck
from hotline.supervision.spotchecks import draw, record_finding
from hotline.tickets.transitions import TransitionError

from .lists import paged

if TYPE_CHECKING:
    from django.http import HttpResponse

    from hotline.orgs.permissions import AuthedRequest

DRAW_DAYS = 30
DRAW_SIZE = 20


@permission_required(Perm.SPOT_CHECK)
def spot_checks(request: AuthedRequest) -> HttpResponse:
    view = request.GET.get("view", "todo")
    checks = supervision.spot_checks(request.user, finding="" if view == "todo" else None)
    if view != "todo":
        checks = checks.exclude(finding="")
    page, sort = paged(request, checks, sorts={"drawn": ("-drawn_at", "-risk")}, default="drawn")
    return render(
        request,
        "web/spot_checks.html",
        {"page": page, "sort": sort, "view": view, "findings": SpotCheck.Finding.choices[1:]},
    )


@permission_required(Perm.SPOT_CHECK)
@require_POST
def draw_batch(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    batch = f"{timezone.localtime(now):%Y%m%d}"
    drawn = draw(since=now - dt.timedelta(days=DRAW_DAYS), until=now, size=DRAW_SIZE, batch=batch, at=now)
    messages.success(request, _("Batch %(batch)s: %(n)d closed tickets to check.") % {"batch": batch, "n": len(drawn)})
    return redirect("spot-checks")


@permission_required(Perm.SPOT_CHECK)
@require_POST
def record(request: AuthedRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(supervision.spot_checks(request.user), pk=pk)
    try:
        record_finding(
            check, finding=request.POST.get("finding", ""), note=request.POST.get("note", ""), actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Finding recorded for %(code)s.") % {"code": check.ticket.code})
    return redirect("spot-checks")
