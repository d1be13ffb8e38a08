"""The work lists: the dispatcher's queue, the unit's inbox, the revisit list, extension requests."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.handling.services import decide_extension
from hotline.orgs.models import Staff
from hotline.tickets import deadlines
from hotline.tickets.models import Assignment, Extension, Status
from hotline.tickets.selectors import tickets_visible_to
from hotline.tickets.transitions import TransitionError

from ..forms import DecideExtensionForm
from ..roles import roles_required, unit_of
from .lists import paged

R = Staff.Role
_COLUMNS = ("channel", "lead_unit", "matter", "region")


def _live(page) -> None:
    """Deadline states of the rows shown, as of now."""
    now = timezone.now()
    for ticket in page:
        deadlines.refresh_states(ticket, now)


@roles_required(R.DISPATCHER)
def queue(request):
    """Registered and returned tickets, most urgent and oldest first."""
    tickets = tickets_visible_to(request.user).filter(status__in=[Status.REGISTERED, Status.RETURNED])
    kind = request.GET.get("status")
    if kind in (Status.REGISTERED, Status.RETURNED):
        tickets = tickets.filter(status=kind)
    page, sort = paged(
        request,
        tickets.select_related(*_COLUMNS),
        sorts={"urgency": ("-urgency", "received_at"), "received": ("received_at",), "dispatches": ("dispatch_count",)},
        default="urgency",
    )
    counts = {
        "registered": tickets_visible_to(request.user).filter(status=Status.REGISTERED).count(),
        "returned": tickets_visible_to(request.user).filter(status=Status.RETURNED).count(),
    }
    return render(request, "web/queue.html", {"page": page, "sort": sort, "counts": counts, "status": kind or ""})


@roles_required(R.HANDLER, R.UNIT_MANAGER)
def inbox(request):
    """The unit's open tickets, the nearest deadline first."""
    unit = unit_of(request.user)
    tickets = tickets_visible_to(request.user)
    view = request.GET.get("view", "open")
    if view == "co":
        co = Assignment.objects.filter(
            ticket=OuterRef("pk"), unit=unit, role=Assignment.Role.CO, state=Assignment.State.ACTIVE
        )
        tickets = tickets.filter(Exists(co))
    elif view == "done":
        tickets = tickets.filter(lead_unit=unit, status__in=[Status.REPLIED, Status.CLOSED])
    else:
        view = "open"
        tickets = tickets.filter(lead_unit=unit, status__in=[Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED])
    page, sort = paged(
        request,
        tickets.select_related(*_COLUMNS),
        sorts={"due": ("resolve_due",), "received": ("received_at",), "sign_due": ("sign_due",)},
        default="due",
    )
    _live(page)
    now = timezone.now()
    mine = tickets_visible_to(request.user).filter(lead_unit=unit)
    counts = {
        "to_sign": mine.filter(status__in=[Status.DISPATCHED, Status.REOPENED]).count(),
        "in_progress": mine.filter(status=Status.IN_PROGRESS).count(),
        "overdue": mine.filter(
            status__in=[Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED], resolve_due__lt=now
        ).count(),
    }
    return render(request, "web/inbox.html", {"page": page, "sort": sort, "view": view, "unit": unit, "counts": counts})


@roles_required(R.OPERATOR)
def revisits(request):
    """Replied tickets waiting for the operator to call the citizen back, the oldest reply first."""
    tickets = tickets_visible_to(request.user).filter(status=Status.REPLIED)
    page, sort = paged(
        request,
        tickets.select_related(*_COLUMNS),
        sorts={"replied": ("replied_at",), "due": ("revisit_due",)},
        default="due",
    )
    _live(page)
    return render(request, "web/revisits.html", {"page": page, "sort": sort})


@roles_required(R.DISPATCHER, R.SUPERVISOR)
def extensions(request):
    pending = (
        Extension.objects.filter(state=Extension.State.PENDING, ticket__in=tickets_visible_to(request.user))
        .select_related("ticket", "unit", "ticket__matter")
        .order_by("requested_at")
    )
    page, sort = paged(request, pending, sorts={"requested": ("requested_at",)}, default="requested")
    return render(request, "web/extensions.html", {"page": page, "sort": sort, "form": DecideExtensionForm()})


@roles_required(R.DISPATCHER, R.SUPERVISOR)
@require_POST
def decide(request, pk: int):
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
