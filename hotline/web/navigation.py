"""The top bar and the home page: the links a signed-in person's permissions open, their own
workbench first. Which role may open what is declared once, in ``hotline.orgs.permissions``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotline.orgs.permissions import Perm, has_perm, role_of, unit_of
from hotline.orgs.models import Staff

from . import live

if TYPE_CHECKING:
    from hotline.orgs.permissions import User

R = Staff.Role


class Link(NamedTuple):
    url_name: str
    label: Promise
    perm: Perm | None  # None: anyone signed in with a role


# The page each role's day starts on.
HOME: dict[str, str] = {
    R.OPERATOR: "console",
    R.DISPATCHER: "queue",
    R.HANDLER: "inbox",
    R.UNIT_MANAGER: "inbox",
    R.SUPERVISOR: "pool",
    R.DISTRICT: "pool",
    R.LEADER: "dashboard",
    R.ADMIN: "dashboard",
    R.AUDITOR: "audit",
}

# Every workbench, in the order the top bar shows them (after the person's home page).
LINKS = [
    Link("console", _("Intake console"), Perm.TAKE_REQUESTS),
    Link("queue", _("Dispatch queue"), Perm.DISPATCH),
    Link("inbox", _("Unit inbox"), Perm.HANDLE),
    Link("team", _("Team"), Perm.MANAGE_UNIT),
    Link("pool", _("Supervision pool"), Perm.OVERSEE),
    Link("dashboard", _("Dashboard"), Perm.READ_DASHBOARD),
    Link("revisits", _("Revisits"), Perm.REVISIT),
    Link("callbacks", _("Call-backs"), Perm.TAKE_REQUESTS),
    Link("extensions", _("Extension requests"), Perm.DECIDE_EXTENSIONS),
    Link("spot-checks", _("Spot checks"), Perm.SPOT_CHECK),
    Link("knowledge", _("Knowledge base"), Perm.READ_KNOWLEDGE),
    Link("insight:overview", _("Hot issues"), Perm.READ_INSIGHT),
    Link("reports", _("Reports"), Perm.READ_REPORTS),
    Link("case-list", _("Typical cases"), Perm.PUBLISH_CASES),
    Link("audit", _("Audit trail"), Perm.AUDIT),
    Link("search", _("Find tickets"), None),
]


def nav_links(user: User) -> list[tuple[str, Promise]]:
    """The links this person's permissions open, their home page first."""
    role = role_of(user)
    if role is None:
        return []
    home = HOME.get(role)
    links = [(link.url_name, link.label) for link in LINKS if link.perm is None or has_perm(user, link.perm)]
    return sorted(links, key=lambda link: link[0] != home)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor for the top bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_links": nav_links(user),
        "nav_role": role_of(user),
        "nav_unit": unit_of(user),
        # The live counts are fetched after the page shows (htmx), so no page waits for them.
        "nav_live_seconds": live.POLL_SECONDS,
    }
