"""Word notices for download: a spot-check batch's findings and one supervision order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from hotline.tickets.selectors import tickets_visible_to

from . import notices, selectors
from .models import SupervisionOrder

if TYPE_CHECKING:
    from hotline.orgs.permissions import AuthedRequest

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    return response


@login_required
def spot_check_notice(request: AuthedRequest, batch: str) -> HttpResponse:
    checks = selectors.spot_checks(request.user, batch=batch)
    if not checks.exists():
        raise Http404
    return _docx(notices.spot_check_notice(checks, batch=batch), f"spot-checks-{batch}")


@login_required
def order_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """One supervision order as a page to read and print: the ticket, the unit, the level, why,
    who issued it and when."""
    order = get_object_or_404(SupervisionOrder.objects.select_related("ticket", "unit", "issued_by"), pk=pk)
    if not tickets_visible_to(request.user).filter(pk=order.ticket_id).exists():
        raise PermissionDenied
    return render(request, "supervision/order.html", {"order": order, "ticket": order.ticket})


@login_required
def order_notice(request: AuthedRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(SupervisionOrder.objects.select_related("ticket", "unit"), pk=pk)
    if not tickets_visible_to(request.user).filter(pk=order.ticket_id).exists():
        raise PermissionDenied
    return _docx(notices.order_notice(order), f"order-{order.ticket.code}-{order.level}")
