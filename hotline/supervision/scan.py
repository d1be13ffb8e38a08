"""The deadline scan: move every running deadline's state (on time → warning → overdue) as time
passes. States are otherwise only refreshed when something happens to the ticket."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from hotline.tickets.deadlines import STATE_FIELDS, deadline_state, refresh_states
from hotline.tickets.models import CLOCKED, DeadlineState, Ticket
from hotline.workcal.services import get_calendar

# Each deadline: its state, its due time, and when its window started.
DEADLINES = (
    ("dispatch_state", "dispatch_due", "received_at"),
    ("respond_state", "respond_due", "received_at"),
    ("sign_state", "sign_due", "clock_started_at"),
    ("contact_state", "contact_due", "clock_started_at"),
    ("resolve_state", "resolve_due", "clock_started_at"),
    ("revisit_state", "revisit_due", "replied_at"),
    ("progress_state", "progress_due", "progress_at"),
)
MOVING = (DeadlineState.ON_TIME, DeadlineState.WARNING)
READ_FULL = (
    "id",
    "version",
    "status",
    "received_at",
    "dispatch_due",
    "first_dispatched_at",
    "respond_due",
    "responded_at",
    "clock_started_at",
    "sign_due",
    "signed_at",
    "contact_due",
    "contacted_at",
    "resolve_due",
    "replied_at",
    "revisit_due",
    "closed_at",
    "long_cycle_until",
    "progress_at",
    "progress_due",
    *STATE_FIELDS,
)


def scan_deadlines(*, now: dt.datetime | None = None, full: bool = False, chunk: int = 5000) -> dict[str, int]:
    """Bring every running ticket's deadline states up to ``now``. Idempotent: a second run at the
    same time changes nothing.

    Time only moves a state that is on time or warning: ``deadline_state`` gives those two only
    while the deadline runs and is not done, and every change of what "done" and "running" depend
    on goes through ``transitions.apply``, which recomputes the states. So the scan reads only
    tickets with such a state, and only their due and start times. ``full=True`` recomputes every
    state of every running ticket from all its fields instead (after a change of the warning
    rule, say).

    Each changed ticket is written with a compare-and-set on ``version``: a ticket a user changed
    since we read it already carries states computed by that change, and is left alone. States
    are derived data (the events are the record): the scan writes no event, bumps no version.
    """
    now = now or timezone.now()
    calendar = get_calendar()
    scanned = changed = 0
    batch: list[tuple[int, int, dict[str, str]]] = []
    if full:
        rows = Ticket.objects.filter(status__in=CLOCKED).values_list(*READ_FULL).order_by("id")
        for row in rows.iterator(chunk_size=chunk):
            scanned += 1
            t = SimpleNamespace(**dict(zip(READ_FULL, row)))
            before = {name: getattr(t, name) for name in STATE_FIELDS}
            # The row's fields as attributes are all that refresh_states reads and writes of a ticket.
            refresh_states(t, now, calendar)  # type: ignore[arg-type]
            diff = {name: getattr(t, name) for name in STATE_FIELDS if getattr(t, name) != before[name]}
            if diff:
                batch.append((t.id, t.version, diff))
    else:
        moving = Q()
        for state, _due, _start in DEADLINES:
            moving |= Q(**{f"{state}__in": MOVING})
        columns: tuple[str, ...] = ("id", "version", "received_at", "clock_started_at", "replied_at", "progress_at")
        columns += tuple(f for d in DEADLINES for f in d[:2])
        rows = Ticket.objects.filter(moving, status__in=CLOCKED).values_list(*columns).order_by("id")
        for row in rows.iterator(chunk_size=chunk):
            scanned += 1
            values = dict(zip(columns, row))
            diff = {}
            for state, due, start in DEADLINES:
                if values[state] in MOVING:
                    new = deadline_state(
                        due=values[due], start=values[start], done=None, now=now, running=True, calendar=calendar
                    )
                    if new != values[state]:
                        diff[state] = new
            if diff:
                batch.append((values["id"], values["version"], diff))
    with transaction.atomic():
        for offset in range(0, len(batch), 500):
            changed += _write(batch[offset : offset + 500])
    return {"scanned": scanned, "changed": changed}


def _write(rows: list[tuple[int, int, dict[str, str]]]) -> int:
    """One UPDATE … FROM (VALUES …) for many tickets, each guarded by its own version: a ticket
    changed since the read keeps what its change wrote. (PostgreSQL and SQLite ≥ 3.33 both name a
    VALUES list's columns column1, column2, ….)"""
    quote = connection.ops.quote_name
    table = quote(Ticket._meta.db_table)
    concrete = {f.name: f for f in Ticket._meta.concrete_fields}
    columns = [concrete[name].column for name in STATE_FIELDS]
    sets = ", ".join(
        f"{quote(col)} = CASE WHEN v.column{3 + 2 * i} = 1 THEN v.column{4 + 2 * i} ELSE {table}.{quote(col)} END"
        for i, col in enumerate(columns)
    )
    values: list[str] = []
    params: list[int | str] = []
    for pk, version, fields in rows:
        values.append("(" + ", ".join(["%s"] * (2 + 2 * len(columns))) + ")")
        params += [pk, version]
        for name in STATE_FIELDS:
            params += [1 if name in fields else 0, fields.get(name, "")]
    sql = (
        f"UPDATE {table} SET {sets} FROM (VALUES {', '.join(values)}) AS v "
        f"WHERE {table}.{quote('id')} = v.column1 AND {table}.{quote('version')} = v.column2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
