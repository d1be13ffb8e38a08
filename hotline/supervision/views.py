"""Supervision pages: Word notices for download (a spot-check batch's findings, one supervision
order), an order's page, and the operators' quality check (话务质检)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.evaluation.selectors import parse_period
from hotline.orgs.permissions import Perm, has_perm, permission_required, role_of
from hotline.tickets.selectors import tickets_visible_to

from . import notices, quality, selectors
from .models import QaCriterion, QaReview, SupervisionOrder

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


def _month(request: AuthedRequest) -> str:
    text = request.GET.get("month") or f"{timezone.localdate():%Y-%m}"
    try:
        return parse_period(text[:7]).label
    except ValueError:
        return f"{timezone.localdate():%Y-%m}"


@login_required
def qa_month(request: AuthedRequest) -> HttpResponse:
    """话务质检: the month's operator table and the calls drawn (a reviewer: all, with a draw
    button; an operator: their own, with the feedback)."""
    month = _month(request)
    checker = has_perm(request.user, Perm.QUALITY_CHECK)
    if not checker and role_of(request.user) != "operator":
        raise PermissionDenied
    if request.method == "POST":
        if not checker:
            raise PermissionDenied
        made = quality.draw_month(month)
        messages.success(request, _("%(n)d calls drawn.") % {"n": made})
        return redirect(f"{request.path}?month={month}")
    reviews = quality.reviews_of(month, None if checker else request.user)
    context = {
        "month": month,
        "checker": checker,
        "table": quality.operator_table(month) if checker else [],
        "reviews": reviews,
    }
    return render(request, "supervision/qa.html", context)


@permission_required(Perm.QUALITY_CHECK)
def qa_review(request: AuthedRequest, pk: int) -> HttpResponse:
    """Rate one drawn call: every criterion, with the pre-checks shown, and feedback."""
    qa = get_object_or_404(QaReview.objects.select_related("ticket", "operator"), pk=pk)
    rubric = list(QaCriterion.objects.filter(active=True))
    error = ""
    if request.method == "POST":
        marks = {str(c.pk): request.POST.get(f"c{c.pk}") == "1" for c in rubric if request.POST.get(f"c{c.pk}")}
        try:
            quality.review(qa, marks=marks, feedback=request.POST.get("feedback", ""), actor=request.user)
        except ValidationError as exc:
            error = "；".join(str(m) for m in exc.messages)
        else:
            messages.success(request, _("Call rated."))
            return redirect(f"{reverse('qa')}?month={qa.month}")
    rows = [(c, qa.prechecks.get(str(c.pk)), qa.marks.get(str(c.pk))) for c in rubric]
    status = 400 if error else 200
    return render(request, "supervision/qa_review.html", {"qa": qa, "rows": rows, "error": error}, status=status)


@login_required
def order_notice(request: AuthedRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(SupervisionOrder.objects.select_related("ticket", "unit"), pk=pk)
    if not tickets_visible_to(request.user).filter(pk=order.ticket_id).exists():
        raise PermissionDenied
    return _docx(notices.order_notice(order), f"order-{order.ticket.code}-{order.level}")
