"""Who the signed-in person is at the centre, what they may do, and where their day starts."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Staff, Unit

R = Staff.Role
CENTRE_DESK = {R.OPERATOR, R.DISPATCHER, R.SUPERVISOR, R.ADMIN}
UNIT_ROLES = {R.HANDLER, R.UNIT_MANAGER}

# The page each role's day starts on.
HOME = {
    R.OPERATOR: "console",
    R.DISPATCHER: "queue",
    R.HANDLER: "inbox",
    R.UNIT_MANAGER: "inbox",
    R.SUPERVISOR: "pool",
    R.DISTRICT: "pool",
    R.LEADER: "dashboard",
    R.ADMIN: "dashboard",
}

# (url name, label) per role, in the order they appear in the top bar.
_CONSOLE = ("console", _("Intake console"))
_KNOWLEDGE = ("knowledge", _("Knowledge base"))
_REVISITS = ("revisits", _("Revisits"))
_QUEUE = ("queue", _("Dispatch queue"))
_EXTENSIONS = ("extensions", _("Extension requests"))
_INBOX = ("inbox", _("Unit inbox"))
_POOL = ("pool", _("Supervision pool"))
_SEARCH = ("search", _("Find tickets"))
_DASHBOARD = ("dashboard", _("Dashboard"))
_CASES = ("case-list", _("Typical cases"))
_SPOT = ("spot-checks", _("Spot checks"))
_REPORTS = ("reports", _("Reports"))
_INSIGHT = ("insight:overview", _("Hot issues"))
NAV = {
    R.OPERATOR: [_CONSOLE, _REVISITS, _KNOWLEDGE, _SEARCH],
    R.DISPATCHER: [_QUEUE, _EXTENSIONS, _KNOWLEDGE, _SEARCH],
    R.HANDLER: [_INBOX, _SEARCH],
    R.UNIT_MANAGER: [_INBOX, _SEARCH],
    R.SUPERVISOR: [_POOL, _SPOT, _EXTENSIONS, _INSIGHT, _REPORTS, _DASHBOARD, _SEARCH, _CASES],
    R.DISTRICT: [_POOL, _SEARCH, _DASHBOARD],
    R.LEADER: [_DASHBOARD, _POOL, _INSIGHT, _REPORTS, _SEARCH],
    R.ADMIN: [_DASHBOARD, _CONSOLE, _QUEUE, _POOL, _SPOT, _REVISITS, _EXTENSIONS, _INSIGHT, _REPORTS, _SEARCH],
}


def staff_of(user) -> Staff | None:
    return getattr(user, "staff", None) if user.is_authenticated else None


def role_of(user) -> str | None:
    """The person's role; a superuser without a staff row counts as an administrator."""
    staff = staff_of(user)
    if staff is not None:
        return staff.role
    return R.ADMIN if user.is_authenticated and user.is_superuser else None


def unit_of(user) -> Unit | None:
    staff = staff_of(user)
    return staff.unit if staff is not None else None


def at_centre(user) -> bool:
    unit = unit_of(user)
    return user.is_superuser or (unit is not None and unit.kind == Unit.Kind.CENTRE)


def may(user, *roles: str) -> bool:
    """The person holds one of ``roles``; centre roles count only for staff of the centre."""
    role = role_of(user)
    if role not in roles:
        return False
    return role in UNIT_ROLES or role == R.DISTRICT or at_centre(user)


def roles_required(*roles: str):
    """Refuse (403) anyone without one of ``roles``; the administrator may do everything."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not may(request.user, *roles, R.ADMIN):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
