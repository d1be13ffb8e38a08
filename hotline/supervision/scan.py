"""The deadline scan: recompute every running deadline's state (on time, warning, overdue) as time
passes. States are otherwise only refreshed when something happens to the ticket."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from hotline.tickets.deadlines import STATE_FIELDS, refresh_states
from hotline.tickets.models import Status, Ticket
from hotline.workcal.services import get_calendar

# Statuses in which a clock runs: the unit's (dispatched, in progress, reopened) or the revisit's.
RUNNING = (Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED, Status.REPLIED)
READ = (
    "id",
    "version",
    "status",
    "clock_started_at",
    "sign_due",
    "signed_at",
    "contact_due",
    "contacted_at",
    "resolve_due",
    "replied_at",
    "revisit_due",
    "closed_at",
    *STATE_FIELDS,
)


def scan_deadlines(*, now: dt.datetime | None = None, chunk: int = 5000) -> dict[str, int]:
    """Bring every running ticket's deadline states up to ``now``. Idempotent: a second run at the
    same time changes nothing.

    Each changed ticket is written with a compare-and-set on ``version``: a ticket a user changed
    since we read it already carries states computed by that change, and is left alone. States are
    derived data (the events are the record), so the scan writes no event and does not bump the
    version.
    """
    now = now or timezone.now()
    calendar = get_calendar()
    changed = scanned = 0
    rows = Ticket.objects.filter(status__in=RUNNING).values_list(*READ).order_by("id")
    batch: list[tuple[int, int, dict[str, str]]] = []
    for row in rows.iterator(chunk_size=chunk):
        scanned += 1
        t = SimpleNamespace(**dict(zip(READ, row)))
        before = {name: getattr(t, name) for name in STATE_FIELDS}
        refresh_states(t, now, calendar)
        after = {name: getattr(t, name) for name in STATE_FIELDS}
        if after != before:
            batch.append((t.id, t.version, {k: v for k, v in after.items() if v != before[k]}))
    with transaction.atomic():
        for pk, version, fields in batch:
            changed += Ticket.objects.filter(pk=pk, version=version).update(**fields)
    return {"scanned": scanned, "changed": changed}
