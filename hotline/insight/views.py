"""改 + 未诉先办 pages: the hot-issue list, a hot issue, a rectification project, a surge warning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hotline.catalog.models import Matter
from hotline.insight import repeats, selectors, services, warnings
from hotline.insight.forms import ProjectForm
from hotline.orgs import places
from hotline.orgs.permissions import Perm, has_perm
from hotline.tickets.models import UNFINISHED, Ticket
from hotline.tickets.selectors import tickets_visible_to

if TYPE_CHECKING:
    from django.http import HttpResponse

    from hotline.insight.models import Hotspot
    from hotline.orgs.permissions import AuthedRequest

TICKETS_SHOWN = 200
MAX_REPEAT_TEXT = 2000


def _viewer_may_see(request: AuthedRequest) -> None:
    if not selectors.can_view_insight(request.user):
        raise PermissionDenied


def _viewer_may_manage(request: AuthedRequest) -> None:
    if not selectors.can_manage_insight(request.user):
        raise PermissionDenied


@login_required
def overview(request: AuthedRequest) -> HttpResponse:
    _viewer_may_see(request)
    now = timezone.localtime()
    return render(
        request,
        "insight/overview.html",
        {
            "hotspots": selectors.latest_hotspots(request.user)[:20],
            "warnings": selectors.warnings_visible_to(request.user).order_by("state", "-period_end")[:20],
            "projects": selectors.projects_visible_to(request.user)[:20],
            "candidates": warnings.monthly_candidates(now.year, now.month),
            "month": now,
        },
    )


@login_required
def repeats_panel(request: AuthedRequest) -> HttpResponse:
    """The operator console's repeat warning (htmx partial): GET phone, address, matter (code),
    text and optionally exclude (a ticket code). Empty parameters find nothing."""
    _viewer_may_see(request)
    q = request.GET
    # The operator console sends its own field names (requester_phone, content).
    text = (q.get("text") or q.get("content") or "")[:MAX_REPEAT_TEXT]
    phone = (q.get("phone") or q.get("requester_phone") or "")[:30]
    if not has_perm(request.user, Perm.SEE_REQUESTER):
        phone = ""  # a leader reads figures: a number must not find a caller's tickets (H1)
    address = (q.get("address") or "")[:255]
    region = places.resolve(address).region if address else None
    # The console's matter field holds a code, or a picked entry read "path · code".
    matter = Matter.objects.filter(code=(q.get("matter") or "").rsplit("·", 1)[-1].strip()).first()
    exclude = Ticket.objects.filter(code=q.get("exclude") or "").values_list("pk", flat=True).first()
    found = repeats.likely_repeats(phone, address, region, matter, text, exclude=exclude) if (text or phone) else []
    # An empty panel says whether nothing was found or nothing was asked yet (m12).
    # From the console (its own field names), an operator may fold the call into one of them.
    can_merge = "content" in q and has_perm(request.user, Perm.REGISTER)
    # Only a request still being worked on takes a repeat call; a finished one gets a new ticket.
    context = {"repeats": found, "asked": bool(text or phone), "can_merge": can_merge, "unfinished": UNFINISHED}
    return render(request, "insight/_repeats.html", context)


@login_required
def hotspot_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _viewer_may_see(request)
    spot = get_object_or_404(selectors.hotspots_visible_to(request.user), pk=pk)
    initial = {
        "title": spot.title,
        "place": spot.place,
        "matters": [m.pk for m in services.hotspot_matters(spot)],
        "measures_from": timezone.localtime().replace(second=0),
    }
    choices = services.hotspot_matter_choices(spot)
    form = ProjectForm(initial=initial, matter_choices=choices) if selectors.can_manage_insight(request.user) else None
    return _hotspot_page(request, spot, form)


def _hotspot_page(request: AuthedRequest, spot: Hotspot, form: ProjectForm | None, status: int = 200) -> HttpResponse:
    most = max((n for _p, n in spot.places), default=1)
    return render(
        request,
        "insight/hotspot.html",
        {
            "spot": spot,
            "tickets": spot.tickets.select_related("region", "matter").order_by("-received_at")[:TICKETS_SHOWN],
            "places": [(p, n, round(100 * n / most)) for p, n in spot.places[:15]],
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def project_create(request: AuthedRequest, pk: int) -> HttpResponse:
    _viewer_may_manage(request)
    spot = get_object_or_404(selectors.hotspots_visible_to(request.user), pk=pk)
    form = ProjectForm(request.POST, matter_choices=services.hotspot_matter_choices(spot))
    if form.is_valid():
        data = form.cleaned_data
        try:
            project = services.create_project(
                title=data["title"],
                lead_unit=data["lead_unit"],
                place=data["place"],
                measures=data["measures"],
                measures_from=data["measures_from"],
                milestones=data["milestones"],
                matters=list(Matter.objects.filter(pk__in=data["matters"])),
                hotspot=spot,
                actor=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("insight:project", pk=project.pk)
    return _hotspot_page(request, spot, form, status=400)


@login_required
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)
    return render(
        request,
        "insight/project.html",
        {
            "project": project,
            "effect": services.project_effect(project),
            "milestones": project.milestones.all(),
            # Only the linked tickets the viewer may open: a lead unit sees its own, not every ticket
            # naming the place (L1 of 2026-11-30); the effect above counts them all, as figures.
            "tickets": project.tickets.filter(pk__in=tickets_visible_to(request.user).values("pk"))
            .select_related("region", "matter")
            .order_by("-received_at")[:TICKETS_SHOWN],
            "matters": project.matters.all(),
            "can_update": selectors.can_update_project(request.user, project),
        },
    )


@login_required
@require_POST
def milestone_done(request: AuthedRequest, pk: int, milestone: int) -> HttpResponse:
    """The lead unit's staff or a supervisor marks a milestone reached."""
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)
    if not selectors.can_update_project(request.user, project):
        raise PermissionDenied
    services.complete_milestone(get_object_or_404(project.milestones, pk=milestone))
    return redirect("insight:project", pk=project.pk)


@login_required
def warning_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _viewer_may_see(request)
    warning = get_object_or_404(selectors.warnings_visible_to(request.user), pk=pk)
    return render(
        request,
        "insight/warning.html",
        {
            "warning": warning,
            "tickets": warning.tickets.order_by("-received_at")[:TICKETS_SHOWN],
            "can_manage": selectors.can_manage_insight(request.user),
        },
    )


@login_required
@require_POST
def warning_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    _viewer_may_manage(request)
    warning = get_object_or_404(selectors.warnings_visible_to(request.user), pk=pk)
    warnings.acknowledge(warning)
    return redirect("insight:warning", pk=warning.pk)
