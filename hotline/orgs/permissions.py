"""The permission catalogue: what each role may do, declared once, and the one check.

Every door (pages, downloads, the ticket page's actions, selectors that widen a viewer's scope)
asks ``has_perm(user, Perm.X)``; nothing else lists roles. The administrator holds every
permission. A centre role (operator, dispatcher, supervisor, leader, administrator) counts only
for staff of the hotline centre: a unit's staff row that says "supervisor" grants nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied

from .models import Staff, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import User as Actor
    from django.http import HttpRequest, HttpResponse

    # Actor: a signed-in person as services record them (``actor``; None is the system itself), of
    # the account model, settings.AUTH_USER_MODEL, which the Django plugin resolves to auth's User.
    # User: whoever asks, as a page sees them (``request.user``, a selector's ``viewer``), a
    # signed-in person or an anonymous visitor.
    User = Actor | AnonymousUser

    class AuthedRequest(HttpRequest):
        """The request a view behind ``permission_required`` (or ``login_required``) receives: its
        user is signed in."""

        user: Actor


R = Staff.Role

# Roles held by a unit's own staff, and the district overseer; every other role is the centre's.
UNIT_ROLES = frozenset({R.HANDLER, R.UNIT_MANAGER})
CENTRE_ROLES = frozenset({R.OPERATOR, R.DISPATCHER, R.SUPERVISOR, R.LEADER, R.ADMIN})


class Perm(StrEnum):
    TAKE_REQUESTS = "take_requests"  # 接: the intake console
    REGISTER = "register"  # register, merge, invalidate; the classifier's suggestions
    ANSWER = "answer"  # answer directly from the knowledge base
    DISPATCH = "dispatch"  # 派: the dispatch queue, dispatch, refuse a return
    HANDLE = "handle"  # 办: a unit's inbox; sign, contact, extension, reply, return, co-reply
    MANAGE_UNIT = "manage_unit"  # 负责人: assign the unit's tickets, review replies, the team page
    REVISIT = "revisit"  # 评: call the citizen back and record the revisit
    DECIDE_EXTENSIONS = "decide_extensions"
    READ_KNOWLEDGE = "read_knowledge"
    EDIT_KNOWLEDGE = "edit_knowledge"
    OVERSEE = "oversee"  # 督: the supervision pool
    SPOT_CHECK = "spot_check"
    ORDER_SUPERVISION = "order_supervision"  # 督: issue a 催办/督办/通报 on a ticket by hand
    DECIDE_CLASS = "decide_class"  # 评: confirm or overturn a reply's class, declare a final answer
    DECIDE_APPEALS = "decide_appeals"  # 督: accept or reject a unit's appeal (申诉)
    REVIEW_REPLIES = "review_replies"  # 评: check a unit's reply before the revisit (答复审核)
    QUALITY_CHECK = "quality_check"  # 督: draw and rate operators' calls (话务质检)
    READ_DASHBOARD = "read_dashboard"
    READ_REPORTS = "read_reports"  # 报
    PUBLISH_CASES = "publish_cases"  # 宣: typical cases
    READ_INSIGHT = "read_insight"  # 改: hot issues, warnings, every project
    MANAGE_INSIGHT = "manage_insight"  # open projects, acknowledge warnings
    SEE_ALL_TICKETS = "see_all_tickets"  # every ticket, not only a unit's or a district's
    SEE_REQUESTER = "see_requester"  # the requester's name and phone unmasked
    AUDIT = "audit"  # 安全审计: read and export the audit trail


GRANTS: dict[Perm, frozenset[str]] = {
    Perm.TAKE_REQUESTS: frozenset({R.OPERATOR}),
    Perm.REGISTER: frozenset({R.OPERATOR, R.DISPATCHER}),
    Perm.ANSWER: frozenset({R.OPERATOR}),
    Perm.DISPATCH: frozenset({R.DISPATCHER}),
    Perm.HANDLE: UNIT_ROLES,
    Perm.MANAGE_UNIT: frozenset({R.UNIT_MANAGER}),
    Perm.REVISIT: frozenset({R.OPERATOR}),
    Perm.DECIDE_EXTENSIONS: frozenset({R.DISPATCHER, R.SUPERVISOR}),
    Perm.READ_KNOWLEDGE: frozenset({R.OPERATOR, R.DISPATCHER, R.SUPERVISOR}),
    Perm.EDIT_KNOWLEDGE: frozenset({R.SUPERVISOR}),
    Perm.OVERSEE: frozenset({R.SUPERVISOR, R.DISTRICT, R.LEADER}),
    Perm.SPOT_CHECK: frozenset({R.SUPERVISOR}),
    Perm.ORDER_SUPERVISION: frozenset({R.SUPERVISOR, R.LEADER}),
    Perm.DECIDE_CLASS: frozenset({R.SUPERVISOR, R.DISPATCHER}),
    Perm.DECIDE_APPEALS: frozenset({R.SUPERVISOR}),
    Perm.REVIEW_REPLIES: frozenset({R.SUPERVISOR}),
    Perm.QUALITY_CHECK: frozenset({R.SUPERVISOR}),
    Perm.READ_DASHBOARD: frozenset({R.LEADER, R.SUPERVISOR, R.DISTRICT}),
    Perm.READ_REPORTS: frozenset({R.LEADER, R.SUPERVISOR}),
    Perm.PUBLISH_CASES: frozenset({R.SUPERVISOR}),
    Perm.READ_INSIGHT: CENTRE_ROLES,
    Perm.MANAGE_INSIGHT: frozenset({R.SUPERVISOR}),
    Perm.SEE_ALL_TICKETS: CENTRE_ROLES,
    # Leaders read figures, not phone numbers.
    Perm.SEE_REQUESTER: frozenset({R.OPERATOR, R.DISPATCHER, R.SUPERVISOR}),
    # The auditor is the only role (with the administrator) that reads who did what.
    Perm.AUDIT: frozenset({R.AUDITOR}),
}


def staff_of(user: User | None) -> Staff | None:
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "staff", None)


def role_of(user: User | None) -> str | None:
    """The person's role; a superuser without a staff row counts as an administrator."""
    staff = staff_of(user)
    if staff is not None:
        return staff.role
    return R.ADMIN if user is not None and user.is_authenticated and user.is_superuser else None


def unit_of(user: User | None) -> Unit | None:
    staff = staff_of(user)
    return staff.unit if staff is not None else None


def at_centre(user: User | None) -> bool:
    """A superuser, or staff of the hotline centre itself."""
    if user is None or not user.is_authenticated:
        return False
    unit = unit_of(user)
    return bool(user.is_superuser) or (unit is not None and unit.kind == Unit.Kind.CENTRE)


def has_perm(user: User | None, perm: Perm) -> bool:
    """The one check: the person's role holds ``perm`` (the administrator holds all), and a centre
    role is held at the centre."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    role = role_of(user)
    if role is None:
        return False
    if role != R.ADMIN and role not in GRANTS[perm]:
        return False
    return role not in CENTRE_ROLES or at_centre(user)


_View = TypeVar("_View", bound=Callable[..., Any])


def permission_required(perm: Perm) -> Callable[[_View], _View]:
    """A view decorator: a visitor who is not signed in goes to the login page, a person without
    ``perm`` gets 403."""

    def decorate(view: _View) -> _View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not has_perm(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate
