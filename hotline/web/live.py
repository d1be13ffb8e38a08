"""Live work: the counts in the top bar that tell a person, without a reload, that work has come.

Each count is read from the selector that already defines it (the dispatcher's queue, the unit's
inbox, the supervision pool, the extension requests), so the top bar and the workbench can never
disagree. The top bar asks ``/live/`` every ``POLL_SECONDS`` (htmx polling): a handful of indexed
counts per person, cheaper than a push channel the centre's intranet would have to keep open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hotline.dispatch.selectors import queue_counts
from hotline.evaluation.selectors import awaiting_revisit
from hotline.handling.selectors import inbox_counts, pending_extensions
from hotline.orgs.permissions import Perm, has_perm
from hotline.supervision.selectors import pool_counts

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from hotline.orgs.permissions import User

# How often the top bar asks for its counts. Tests lower it to see a change within a second.
POLL_SECONDS = 20


class LiveCount(NamedTuple):
    key: str  # a stable name for tests and styles: queue, returned, to_sign, overdue, red, yellow, revisits…
    label: Promise
    n: int
    url: str  # where the work is
    tone: str  # "" | "red" | "yellow": how urgent the count is when not zero


def live_counts(user: User) -> list[LiveCount]:
    """The person's waiting work, by the permissions they hold (a person may hold several)."""
    out: list[LiveCount] = []
    if has_perm(user, Perm.DISPATCH):
        queue = queue_counts(user)
        out.append(
            LiveCount(
                "queue", _("waiting for dispatch"), queue["registered"], reverse("queue") + "?status=registered", ""
            )
        )
        out.append(
            LiveCount("returned", _("returned"), queue["returned"], reverse("queue") + "?status=returned", "red")
        )
    if has_perm(user, Perm.HANDLE):
        inbox = inbox_counts(user)
        out.append(LiveCount("to_sign", _("to sign"), inbox["to_sign"], reverse("inbox") + "?sort=sign_due", ""))
        out.append(LiveCount("overdue", _("overdue"), inbox["overdue"], reverse("inbox") + "?sort=due", "red"))
    if has_perm(user, Perm.OVERSEE):
        pool = pool_counts(user)
        out.append(LiveCount("red", _("red"), pool["red"], reverse("pool") + "?deadline=overdue", "red"))
        out.append(LiveCount("yellow", _("yellow"), pool["yellow"], reverse("pool") + "?sort=colour", "yellow"))
    if has_perm(user, Perm.REVISIT):
        revisits = awaiting_revisit(user).count()
        out.append(LiveCount("revisits", _("revisits to call"), revisits, reverse("revisits"), ""))
    if has_perm(user, Perm.DECIDE_EXTENSIONS):
        pending = pending_extensions(user).count()
        out.append(LiveCount("extensions", _("extensions to decide"), pending, reverse("extensions"), "yellow"))
    return out
