"""Batch actions, where work comes in batches: decide several extension requests, sign several
tickets, dispatch a group of similar requests to one unit, record several spot-check findings.

A batch is only a loop over the services a single action calls: each item is its own transaction
(``transitions.service_block``), so status still changes only in ``tickets/transitions.py``, one
refused item neither undoes nor hides the others, and the page reports what happened to each.
Items are looked up in the viewer's own scope (the same selector as the list they were picked
from): an id the person may not act on, a duplicate or an empty selection changes nothing and the
report says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.dispatch import selectors as dispatch_selectors
from hotline.dispatch.learning import dispatch_by_dispatcher
from hotline.handling import selectors as handling_selectors
from hotline.handling.services import decide_extension, sign
from hotline.orgs.permissions import Perm, permission_required, unit_of
from hotline.supervision import selectors as supervision
from hotline.supervision.models import SpotCheck
from hotline.supervision.spotchecks import record_finding
from hotline.tickets.models import Extension, Ticket
from hotline.tickets.transitions import TransitionError

from ..forms import DispatchForm

if TYPE_CHECKING:
    from django.http import HttpResponse

    from hotline.orgs.permissions import AuthedRequest

# More than a page of the lists at once is not a person choosing, and it holds a worker too long.
MAX_BATCH = 100
_MAX_ID = 40  # longer than any ticket code or row id

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    item: str
    ok: bool
    message: str


def picked(request: AuthedRequest) -> list[str]:
    """The ids ticked on the list, as sent (trimmed, never longer than an id can be)."""
    return [value.strip()[:_MAX_ID] for value in request.POST.getlist("pick") if value.strip()]


def _errors(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(str(m) for ms in error.message_dict.values() for m in ms)
    return " ".join(str(m) for m in error.messages)


def run(
    ids: list[str],
    found: Mapping[str, T],
    act: Callable[[T], object],
    *,
    label: Callable[[T], str],
    done: str,
) -> list[Outcome]:
    """Act on each picked item found in the viewer's scope, in the order picked; every other id is
    reported and left alone."""
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    for key in ids:
        item = found.get(key)
        name = label(item) if item is not None else key
        if key in seen:
            outcomes.append(Outcome(name, False, _("Picked twice: acted on once.")))
            continue
        seen.add(key)
        if item is None:
            outcomes.append(Outcome(name, False, _("Not found among the items you may act on; nothing was done.")))
            continue
        try:
            act(item)
        except TransitionError as error:
            outcomes.append(Outcome(name, False, str(error)))
        except ValidationError as error:
            outcomes.append(Outcome(name, False, _errors(error)))
        else:
            outcomes.append(Outcome(name, True, done))
    return outcomes


def _report(request: AuthedRequest, title: str, back: str, outcomes: list[Outcome], problem: str = "") -> HttpResponse:
    done = sum(o.ok for o in outcomes)
    context = {
        "title": title,
        "back": back,
        "outcomes": outcomes,
        "done": done,
        "refused": len(outcomes) - done,
        "problem": problem,
    }
    return render(request, "web/batch_result.html", context, status=400 if problem else 200)


def _refuse_selection(ids: list[str]) -> str:
    """Why a selection cannot be acted on at all, or ''."""
    if not ids:
        return _("Nothing was picked: tick the items to act on. Nothing was changed.")
    if len(ids) > MAX_BATCH:
        return _("At most %(n)d items at once. Nothing was changed.") % {"n": MAX_BATCH}
    return ""


def _numeric(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit() and len(i) < 12]


@permission_required(Perm.DECIDE_EXTENSIONS)
@require_POST
def decide_extensions(request: AuthedRequest) -> HttpResponse:
    """Approve or refuse several extension requests with one note."""
    title, back = _("Extension requests"), reverse("extensions")
    ids = picked(request)
    problem = _refuse_selection(ids)
    approve = request.POST.get("approve", "")
    if not problem and approve not in ("1", "0"):
        problem = _("Choose approve or refuse. Nothing was changed.")
    if problem:
        return _report(request, title, back, [], problem)
    note = request.POST.get("note", "")
    pending = handling_selectors.pending_extensions(request.user).filter(pk__in=_numeric(ids))
    found = {str(e.pk): e for e in pending}

    def label(e: Extension) -> str:
        return _("%(code)s: %(days)d working days") % {"code": e.ticket.code, "days": e.days}

    def act(e: Extension) -> None:
        decide_extension(e, approve=approve == "1", note=note, actor=request.user)

    done = _("Approved.") if approve == "1" else _("Refused.")
    return _report(request, title, back, run(ids, found, act, label=label, done=done))


@permission_required(Perm.HANDLE)
@require_POST
def sign_tickets(request: AuthedRequest) -> HttpResponse:
    """Sign for several tickets the viewer's unit leads."""
    title, back = _("Unit inbox"), reverse("inbox")
    unit = unit_of(request.user)
    if unit is None:
        raise PermissionDenied
    ids = picked(request)
    problem = _refuse_selection(ids)
    if problem:
        return _report(request, title, back, [], problem)
    found = {t.code: t for t in handling_selectors.inbox(request.user, "open").filter(code__in=ids)}
    outcomes = run(
        ids,
        found,
        lambda t: sign(t, unit=unit, actor=request.user),
        label=lambda t: t.code,
        done=_("Signed."),
    )
    return _report(request, title, back, outcomes)


@permission_required(Perm.DISPATCH)
@require_POST
def dispatch_tickets(request: AuthedRequest) -> HttpResponse:
    """Dispatch a group of similar requests to one unit, with one matter and note."""
    title, back = _("Dispatch queue"), reverse("queue")
    ids = picked(request)
    problem = _refuse_selection(ids)
    form = DispatchForm(request.POST, prefix="batch")
    if not problem and not form.is_valid():
        problem = " ".join(str(m) for ms in form.errors.values() for m in ms) + " " + _("Nothing was changed.")
    if problem:
        return _report(request, title, back, [], problem)
    data = form.cleaned_data
    found = {t.code: t for t in dispatch_selectors.queue(request.user).filter(code__in=ids)}

    def act(t: Ticket) -> None:
        dispatch_by_dispatcher(
            t,
            lead_unit=data["lead_unit"],
            co_units=list(data["co_units"]),
            matter=data["matter"],
            note=data["note"],
            actor=request.user,
        )

    done = _("Dispatched to %(unit)s.") % {"unit": data["lead_unit"]}
    return _report(request, title, back, run(ids, found, act, label=lambda t: t.code, done=done))


@permission_required(Perm.SPOT_CHECK)
@require_POST
def record_findings(request: AuthedRequest) -> HttpResponse:
    """Record one finding (with one note) for several spot checks, e.g. a street visited in a day."""
    title, back = _("Spot checks"), reverse("spot-checks")
    ids = picked(request)
    problem = _refuse_selection(ids)
    finding = request.POST.get("finding", "")
    if not problem and (not finding or finding not in SpotCheck.Finding.values):
        problem = _("Choose what the spot check found. Nothing was changed.")
    if problem:
        return _report(request, title, back, [], problem)
    note = request.POST.get("note", "")
    todo = supervision.spot_checks(request.user, finding="").filter(pk__in=_numeric(ids)).select_related("ticket")
    found = {str(c.pk): c for c in todo}
    outcomes = run(
        ids,
        found,
        lambda c: record_finding(c, finding=finding, note=note, actor=request.user),
        label=lambda c: c.ticket.code,
        done=_("Finding recorded."),
    )
    return _report(request, title, back, outcomes)
