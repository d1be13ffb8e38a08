"""The work lists: the dispatcher's queue, the unit's inbox, the revisit list, extension requests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.dispatch import selectors as dispatch_selectors
from hotline.evaluation import selectors as evaluation_selectors
from hotline.handling import selectors as handling_selectors
from hotline.handling.services import decide_extension
from hotline.orgs.permissions import Perm, has_perm, permission_required, unit_of
from hotline.tickets import deadlines
from hotline.tickets.models import AWAITING_DISPATCH, Extension, Ticket
from hotline.tickets.selectors import tickets_visible_to
from hotline.tickets.transitions import TransitionError

from ..forms import DecideExtensionForm, dispatchable_units, leaf_matters
from .lists import paged

if TYPE_CHECKING:
    from hotline.orgs.permissions import AuthedRequest

_COLUMNS = ("channel", "lead_unit", "matter", "region")


def _live(page: Iterable[Ticket]) -> None:
    """Deadline states of the rows shown, as of now."""
    now = timezone.now()
    for ticket in page:
        deadlines.refresh_states(ticket, now)


@permission_required(Perm.DISPATCH)
def queue(request: AuthedRequest) -> HttpResponse:
    """Registered and returned tickets, the most urgent first, then the dispatch due soonest."""
    kind = request.GET.get("status", "")
    kind = kind if kind in AWAITING_DISPATCH else ""
    tickets = dispatch_selectors.queue(request.user, kind)
    # Words in the title or address gather similar requests, to dispatch them together.
    words = request.GET.get("q", "").strip()[:50]
    if words:
        tickets = tickets.filter(Q(title__icontains=words) | Q(address__icontains=words))
    page, sort = paged(
        request,
        tickets.select_related(*_COLUMNS),
        sorts={
            "urgency": dispatch_selectors.QUEUE_ORDER,
            "due": ("dispatch_due", "pk"),
            "received": ("received_at",),
            "dispatches": ("dispatch_count",),
        },
        default="urgency",
    )
    _live(page)
    counts = dispatch_selectors.queue_counts(request.user)
    context = {
        "page": page,
        "sort": sort,
        "counts": counts,
        "status": kind,
        "q": words,
        # The batch dispatch's choices, written as plain options (a widget per option costs more).
        "batch_matters": leaf_matters().only("code", "path"),
        "batch_units": dispatchable_units().only("code", "name"),
    }
    return render(request, "web/queue.html", context)


@permission_required(Perm.HANDLE)
def inbox(request: AuthedRequest) -> HttpResponse:
    """The unit's open tickets, the nearest deadline first."""
    view = request.GET.get("view", "open")
    view = view if view in handling_selectors.INBOX_VIEWS else "open"
    page, sort = paged(
        request,
        handling_selectors.inbox(request.user, view).select_related(*_COLUMNS),
        sorts={"due": ("resolve_due",), "received": ("received_at",), "sign_due": ("sign_due",)},
        default="due",
    )
    _live(page)
    counts = handling_selectors.inbox_counts(request.user)
    context = {"page": page, "sort": sort, "view": view, "unit": unit_of(request.user), "counts": counts}
    return render(request, "web/inbox.html", context)


@permission_required(Perm.REVISIT)
def revisits(request: AuthedRequest) -> HttpResponse:
    """Replied tickets waiting for the operator to call the citizen back, the oldest reply first."""
    page, sort = paged(
        request,
        evaluation_selectors.awaiting_revisit(request.user).select_related(*_COLUMNS),
        sorts={"replied": ("replied_at",), "due": ("revisit_due",)},
        default="due",
    )
    _live(page)
    return render(request, "web/revisits.html", {"page": page, "sort": sort})


@permission_required(Perm.REVIEW_REPLIES)
def reviews(request: AuthedRequest) -> HttpResponse:
    """答复审核: replies waiting for a reviewer before their revisit, the oldest reply first."""
    page, sort = paged(
        request,
        evaluation_selectors.awaiting_review(request.user).select_related(*_COLUMNS),
        sorts={"replied": ("replied_at",)},
        default="replied",
    )
    return render(request, "web/reviews.html", {"page": page, "sort": sort})


@login_required
def long_cycles(request: AuthedRequest) -> HttpResponse:
    """长周期台账: long-running matters and their progress updates, the one due soonest first."""
    if not (has_perm(request.user, Perm.DECIDE_EXTENSIONS) or has_perm(request.user, Perm.HANDLE)):
        raise PermissionDenied
    page, sort = paged(
        request,
        handling_selectors.long_cycle_ledger(request.user).select_related(*_COLUMNS),
        sorts={"progress": ("progress_due",), "until": ("long_cycle_until",)},
        default="progress",
    )
    _live(page)
    return render(request, "web/long_cycles.html", {"page": page, "sort": sort})


@permission_required(Perm.DECIDE_EXTENSIONS)
def extensions(request: AuthedRequest) -> HttpResponse:
    pending = handling_selectors.pending_extensions(request.user)
    page, sort = paged(request, pending, sorts={"requested": ("requested_at",)}, default="requested")
    return render(request, "web/extensions.html", {"page": page, "sort": sort, "form": DecideExtensionForm()})


@permission_required(Perm.DECIDE_EXTENSIONS)
@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    extension = get_object_or_404(Extension.objects.select_related("ticket"), pk=pk)
    if not tickets_visible_to(request.user).filter(pk=extension.ticket_id).exists():
        raise PermissionDenied
    form = DecideExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect("extensions")
    try:
        decide_extension(
            extension, approve=form.cleaned_data["approve"], note=form.cleaned_data["note"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Decision recorded for %(code)s.") % {"code": extension.ticket.code})
    return redirect("extensions")
