"""The only writer of ``Ticket.status``.

Every change to a ticket goes through ``apply``: it checks the move against the declared table,
writes the new fields with a compare-and-set on ``version`` and appends one ``TicketEvent`` in the
same transaction. Two actors racing on one ticket: exactly one wins, the other gets
``TransitionError`` and nothing of theirs is written.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.text import clean_text

from . import deadlines
from .models import Status, Ticket, TicketEvent

ANY = frozenset(Status.values)
S = Status


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None  # None: the status stays as it is (an overlay action)
    label: Promise | str = ""


def _m(sources: set[str] | frozenset[str], target: str | None, label: Promise) -> Move:
    return Move(frozenset(sources), target, label)


# The declared table of moves. Anything not listed here is refused.
MOVES: dict[str, Move] = {
    "register": _m({""}, S.REGISTERED, gettext_lazy("register")),
    "answer": _m({S.REGISTERED}, S.ANSWERED, gettext_lazy("answer directly")),
    "dispatch": _m({S.REGISTERED, S.RETURNED}, S.DISPATCHED, gettext_lazy("dispatch")),
    "sign": _m({S.DISPATCHED, S.REOPENED}, S.IN_PROGRESS, gettext_lazy("sign")),
    "return": _m({S.DISPATCHED, S.IN_PROGRESS}, S.RETURNED, gettext_lazy("return")),
    "refuse_return": _m({S.RETURNED}, S.DISPATCHED, gettext_lazy("refuse the return")),
    "contact": _m({S.IN_PROGRESS}, None, gettext_lazy("contact the citizen")),
    "request_extension": _m({S.IN_PROGRESS}, None, gettext_lazy("request an extension")),
    "approve_extension": _m({S.IN_PROGRESS}, None, gettext_lazy("approve the extension")),
    "refuse_extension": _m({S.IN_PROGRESS}, None, gettext_lazy("refuse the extension")),
    "co_reply": _m({S.DISPATCHED, S.IN_PROGRESS}, None, gettext_lazy("co-unit reply")),
    "reply": _m({S.IN_PROGRESS}, S.REPLIED, gettext_lazy("reply")),
    "revisit": _m({S.REPLIED}, None, gettext_lazy("revisit not completed")),  # unreachable or refused
    "close": _m({S.REPLIED}, S.CLOSED, gettext_lazy("close")),
    "reopen": _m({S.REPLIED, S.CLOSED}, S.REOPENED, gettext_lazy("reopen")),
    "merge": _m({S.REGISTERED, S.RETURNED}, S.MERGED, gettext_lazy("merge")),
    "invalidate": _m({S.REGISTERED, S.RETURNED}, S.INVALID, gettext_lazy("invalidate")),
    "supervise": _m(
        {S.DISPATCHED, S.RETURNED, S.IN_PROGRESS, S.REOPENED, S.REPLIED, S.CLOSED},
        None,
        gettext_lazy("supervision order"),
    ),
    "spot_check": _m({S.REPLIED, S.CLOSED, S.REOPENED, S.IN_PROGRESS}, None, gettext_lazy("spot check")),
    "recompute_deadlines": _m(ANY, None, gettext_lazy("recompute deadlines")),
    "note": _m(ANY, None, gettext_lazy("note")),
}


class TransitionError(Exception):
    """A move the table forbids, or a ticket someone else changed first."""

    def __init__(self, message: str, *, code: str = "forbidden") -> None:
        super().__init__(message)
        self.code = code


def check(ticket: Ticket, action: str) -> Move:
    move = MOVES.get(action)
    if move is None:
        raise TransitionError(_("Unknown action: %(action)s") % {"action": action}, code="unknown")
    if ticket.status not in move.sources:
        raise TransitionError(
            _("Ticket %(code)s is %(status)s; “%(action)s” is not allowed now.")
            % {"code": ticket.code, "status": ticket.get_status_display(), "action": action},
        )
    return move


def register(
    ticket: Ticket, *, actor=None, note: str = "", data: dict[str, Any] | None = None, at: dt.datetime | None = None
) -> TicketEvent:
    """Insert a new ticket as registered, with its first event."""
    check_move = MOVES["register"]
    assert ticket.pk is None and "" in check_move.sources
    now = at or timezone.now()
    ticket.status = S.REGISTERED
    ticket.version = 1
    with transaction.atomic(savepoint=False):
        ticket.save(force_insert=True)
        event = TicketEvent(
            ticket=ticket,
            seq=1,
            action="register",
            from_status="",
            to_status=S.REGISTERED,
            actor=actor,
            note=clean_text(note),
            data=data or {},
            created_at=now,
        )
        _insert_event(event)
    return event


def apply(
    ticket: Ticket,
    action: str,
    *,
    actor=None,
    unit=None,
    note: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> TicketEvent:
    """Make one move on ``ticket``: new status and ``changes``, recomputed deadlines, one event.

    ``ticket`` is updated in place on success and left exactly as it was on failure.
    """
    move = check(ticket, action)
    now = at or timezone.now()
    changes = dict(changes or {})
    old_status, old_version = ticket.status, ticket.version
    target = move.target or old_status
    touched = {"status", "version", *changes, *deadlines.DUE_FIELDS, *deadlines.STATE_FIELDS}
    snapshot = {name: getattr(ticket, name) for name in touched}
    try:
        for name, value in changes.items():
            setattr(ticket, name, value)
        ticket.status = target
        ticket.version = old_version + 1
        deadlines.compute_dues(ticket)
        deadlines.refresh_states(ticket, now)
        written = [name for name in touched if getattr(ticket, name) != snapshot[name] or name in changes]
        # No savepoint of our own: a failure here must undo the caller's whole transaction anyway,
        # and a lost race is reported only after the block, having written nothing.
        with transaction.atomic(savepoint=False):
            won = _compare_and_set(ticket, written, old_version=old_version, old_status=old_status) == 1
            if won:
                event = TicketEvent(
                    ticket=ticket,
                    seq=ticket.version,
                    action=action,
                    from_status=old_status,
                    to_status=target,
                    actor=actor,
                    unit=unit,
                    note=clean_text(note),
                    data=data or {},
                    created_at=now,
                )
                _insert_event(event)
    except BaseException:
        for name, value in snapshot.items():
            setattr(ticket, name, value)
        raise
    if not won:
        for name, value in snapshot.items():
            setattr(ticket, name, value)
        # Compare-and-set lost: whoever changed the ticket since we read it wins; we wrote nothing.
        raise TransitionError(
            _("Ticket %(code)s was changed by someone else; reload and try again.") % {"code": ticket.code},
            code="conflict",
        )
    return event


_FIELDS = {}


def _compare_and_set(ticket: Ticket, names: list[str], *, old_version: int, old_status: str) -> int:
    """UPDATE ticket SET <names> WHERE id = … AND version = … AND status = …; returns the row count.

    Written as one prepared statement rather than ``QuerySet.update``: this is the hottest write in
    the platform (every event passes here) and the ORM's query building cost more than the
    database's work. Values still go through each field's own ``get_db_prep_save``.
    """
    if not _FIELDS:
        _FIELDS.update({f.name: f for f in Ticket._meta.concrete_fields})
    quote = connection.ops.quote_name
    fields = [_FIELDS[name] for name in sorted(names)]
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(getattr(ticket, f.attname), connection) for f in fields]
    sql = (
        f"UPDATE {quote(Ticket._meta.db_table)} SET {sets} "
        f"WHERE {quote('id')} = %s AND {quote('version')} = %s AND {quote('status')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, ticket.pk, old_version, old_status])
        return cursor.rowcount


_EVENT_FIELDS: list = []


def _insert_event(event: TicketEvent) -> None:
    """INSERT one event, for the same reason as ``_compare_and_set``: it is written on every change."""
    if not _EVENT_FIELDS:
        _EVENT_FIELDS.extend(f for f in TicketEvent._meta.concrete_fields if not f.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in _EVENT_FIELDS)
    marks = ", ".join(["%s"] * len(_EVENT_FIELDS))
    params = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in _EVENT_FIELDS]
    sql = f"INSERT INTO {quote(TicketEvent._meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(sql + f" RETURNING {quote('id')}", params)
            event.pk = cursor.fetchone()[0]
        else:
            cursor.execute(sql, params)
            event.pk = cursor.lastrowid
    event._state.adding = False
    event._state.db = connection.alias


_exclusive: contextvars.ContextVar[bool] = contextvars.ContextVar("exclusive_batch", default=False)


def service_block():
    """The transaction a service wraps its writes in: a savepoint when nested, so that a refused
    or lost move inside a caller's larger transaction leaves that transaction usable."""
    return transaction.atomic(savepoint=not _exclusive.get())


@contextlib.contextmanager
def exclusive_batch():
    """One transaction around many service calls by a single writer (the simulator, bulk loads),
    without a savepoint per call: they cost more than the writes themselves. Only for a writer
    that nobody races: any failure inside rolls back the whole batch."""
    token = _exclusive.set(True)
    try:
        with transaction.atomic():
            yield
    finally:
        _exclusive.reset(token)
