"""The only writer of ``Ticket.status``, and of the rows the ticket owns.

Every change to a ticket goes through ``apply``: it checks the move against the declared table,
writes the new fields with a compare-and-set on ``version``, carries out the move's declared
effects on the ticket's own rows (its units' tasks, ``Assignment``, and its extension requests,
``Extension``) and appends one ``TicketEvent``, all in the same transaction. Two actors racing on
one ticket: exactly one wins, the other gets ``TransitionError`` and nothing of theirs is written.
No other module writes ``Assignment`` or changes a pending ``Extension``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.text import clean_text

from . import deadlines
from .models import Assignment, Extension, Status, Ticket, TicketEvent

if TYPE_CHECKING:
    from django.db.models import Field

    from hotline.orgs.models import Unit
    from hotline.orgs.permissions import Actor

ANY = frozenset(Status.values)
S = Status


class Effect(StrEnum):
    """What a move does to the ticket's own rows besides its fields, carried out by ``apply``."""

    # A pending extension request dies with the handling cycle it was asked in (reply, return,
    # re-dispatch, reopening).
    WITHDRAW_EXTENSION = "withdraw_extension"
    # The units' tasks start: every task still active is withdrawn, the lead unit's and the
    # co-units' begin (派).
    OPEN_TASKS = "open_tasks"
    # The lead unit's task starts again after a failed revisit or spot check (重办).
    REOPEN_TASK = "reopen_task"
    SIGN_TASK = "sign_task"  # the lead unit signed for its task (签收)
    RETURN_TASK = "return_task"  # the lead unit's task ends: returned (退单)
    REPLY_TASK = "reply_task"  # the lead unit's task ends with its reply (办结答复)
    RESTORE_TASK = "restore_task"  # the centre refused the return: the task is the lead's again
    CO_REPLY_TASK = "co_reply_task"  # a co-unit's task ends with its reply (协办答复)
    OPEN_EXTENSION = "open_extension"  # an extension request waits for the centre (延期申请)
    DECIDE_EXTENSION = "decide_extension"  # the centre approves or refuses it
    ASSIGN_HANDLER = "assign_handler"  # the unit manager gives the lead task to one of the unit's people


E = Effect


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None  # None: the status stays as it is (an overlay action)
    label: Promise | str = ""
    effects: tuple[Effect, ...] = ()


def _m(
    sources: set[str] | frozenset[str], target: str | None, label: Promise, effects: tuple[Effect, ...] = ()
) -> Move:
    return Move(frozenset(sources), target, label, effects)


# The declared table of moves. Anything not listed here is refused.
MOVES: dict[str, Move] = {
    "register": _m({""}, S.REGISTERED, gettext_lazy("register")),
    # Imported history (``import_history``): a past request arrives already closed, with the unit
    # that handled it and its reply as a replied lead task; no deadline of today runs on it.
    "import_history": _m({""}, S.CLOSED, gettext_lazy("imported from history")),
    "answer": _m({S.REGISTERED}, S.ANSWERED, gettext_lazy("answer directly")),
    # 转办: handed to 110/119/120/122 or another city's 12345; nothing is left for a unit here, so
    # it ends like a direct answer, and the transfer row carries the other side's receipt.
    "transfer_out": _m({S.REGISTERED, S.RETURNED}, S.ANSWERED, gettext_lazy("transfer out")),
    "dispatch": _m(
        {S.REGISTERED, S.RETURNED}, S.DISPATCHED, gettext_lazy("dispatch"), (E.WITHDRAW_EXTENSION, E.OPEN_TASKS)
    ),
    "sign": _m({S.DISPATCHED, S.REOPENED}, S.IN_PROGRESS, gettext_lazy("sign"), (E.SIGN_TASK,)),
    "return": _m(
        {S.DISPATCHED, S.IN_PROGRESS}, S.RETURNED, gettext_lazy("return"), (E.WITHDRAW_EXTENSION, E.RETURN_TASK)
    ),
    "refuse_return": _m({S.RETURNED}, S.DISPATCHED, gettext_lazy("refuse the return"), (E.RESTORE_TASK,)),
    "contact": _m({S.IN_PROGRESS}, None, gettext_lazy("contact the citizen")),
    "request_extension": _m({S.IN_PROGRESS}, None, gettext_lazy("request an extension"), (E.OPEN_EXTENSION,)),
    "approve_extension": _m({S.IN_PROGRESS}, None, gettext_lazy("approve the extension"), (E.DECIDE_EXTENSION,)),
    "refuse_extension": _m({S.IN_PROGRESS}, None, gettext_lazy("refuse the extension"), (E.DECIDE_EXTENSION,)),
    "appeal": _m(ANY - {S.REGISTERED, S.ANSWERED, S.MERGED, S.INVALID}, None, gettext_lazy("appeal")),
    "decide_appeal": _m(ANY - {S.REGISTERED, S.ANSWERED, S.MERGED, S.INVALID}, None, gettext_lazy("decide the appeal")),
    # An accepted appeal against the dispatch: the ticket goes back to the centre to dispatch again.
    "withdraw_dispatch": _m(
        {S.DISPATCHED, S.IN_PROGRESS},
        S.RETURNED,
        gettext_lazy("take back the dispatch on appeal"),
        (E.WITHDRAW_EXTENSION, E.RETURN_TASK),
    ),
    "review_reply": _m({S.REPLIED}, None, gettext_lazy("reply reviewed")),
    "decide_class": _m({S.REPLIED, S.CLOSED}, None, gettext_lazy("decide the reply's class")),
    "long_cycle": _m({S.IN_PROGRESS}, None, gettext_lazy("classify as a long-running matter")),
    "progress": _m({S.IN_PROGRESS}, None, gettext_lazy("progress update")),
    # The unit's own work inside its task (负责人): give it to a handler, and review a handler's
    # reply before it goes out (the draft itself is ``handling.models.ReplyDraft``).
    "assign": _m(
        {S.DISPATCHED, S.IN_PROGRESS, S.REOPENED}, None, gettext_lazy("assign to a handler"), (E.ASSIGN_HANDLER,)
    ),
    "draft_reply": _m({S.IN_PROGRESS}, None, gettext_lazy("reply drafted for review")),
    "send_back_reply": _m({S.IN_PROGRESS}, None, gettext_lazy("reply sent back by the unit manager")),
    "co_reply": _m({S.DISPATCHED, S.IN_PROGRESS}, None, gettext_lazy("co-unit reply"), (E.CO_REPLY_TASK,)),
    "reply": _m({S.IN_PROGRESS}, S.REPLIED, gettext_lazy("reply"), (E.WITHDRAW_EXTENSION, E.REPLY_TASK)),
    "revisit": _m({S.REPLIED}, None, gettext_lazy("revisit not completed")),  # unreachable or refused
    # The requester of a ticket merged into this one was revisited (并单: each requester answers).
    "requester_revisit": _m({S.REPLIED, S.CLOSED}, None, gettext_lazy("revisit of a merged requester")),
    "close": _m({S.REPLIED}, S.CLOSED, gettext_lazy("close")),
    "reopen": _m({S.REPLIED, S.CLOSED}, S.REOPENED, gettext_lazy("reopen"), (E.WITHDRAW_EXTENSION, E.REOPEN_TASK)),
    "merge": _m({S.REGISTERED, S.RETURNED}, S.MERGED, gettext_lazy("merge")),
    "invalidate": _m({S.REGISTERED, S.RETURNED}, S.INVALID, gettext_lazy("invalidate")),
    "supervise": _m(
        {S.REGISTERED, S.DISPATCHED, S.RETURNED, S.IN_PROGRESS, S.REOPENED, S.REPLIED, S.CLOSED},
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


def require_lead(ticket: Ticket, unit: Unit) -> None:
    """Only the ticket's lead unit signs, contacts, extends, replies and returns (主办单位)."""
    if ticket.lead_unit_id != unit.pk:
        raise TransitionError(
            _("%(unit)s is not the lead unit of %(code)s.") % {"unit": unit, "code": ticket.code},
            code="not_lead",
        )


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
    ticket: Ticket,
    *,
    actor: Actor | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> TicketEvent:
    """Insert a new ticket as registered, with its first event."""
    check_move = MOVES["register"]
    assert ticket.pk is None and "" in check_move.sources
    now = at or timezone.now()
    ticket.status = S.REGISTERED
    ticket.version = 1
    deadlines.compute_dues(ticket)
    deadlines.refresh_states(ticket, now)
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


@dataclass(frozen=True)
class PastRequest:
    """One request of imported history: the unsaved ticket (its received, replied and closed
    times set), the unit that handled it (None when its name matched no unit) and its reply."""

    ticket: Ticket
    unit: Unit | None
    reply: str
    note: str = ""


def import_history(requests: Sequence[PastRequest], *, actor: Actor | None = None) -> int:
    """Insert past requests as closed tickets in one move from nothing (``import_history``): the
    ticket closed, its first event, and the handling unit's lead task ended with the reply, so the
    unit router learns from it as from a ticket handled here. In bulk: a history holds tens of
    thousands of rows. The caller holds the transaction (all or nothing)."""
    move = MOVES["import_history"]
    assert "" in move.sources and move.target == S.CLOSED
    tickets: list[Ticket] = []
    for request in requests:
        ticket = request.ticket
        assert ticket.pk is None and ticket.channel_id
        ticket.status = S.CLOSED
        ticket.version = 1
        ticket.lead_unit = request.unit
        tickets.append(ticket)
    with transaction.atomic(savepoint=False):
        Ticket.objects.bulk_create(tickets, batch_size=500)
        if any(t.pk is None for t in tickets):  # a backend that cannot return ids: read them back
            ids = dict(Ticket.objects.filter(code__in=[t.code for t in tickets]).values_list("code", "pk"))
            for t in tickets:
                t.pk = ids[t.code]
        TicketEvent.objects.bulk_create(
            [
                TicketEvent(
                    ticket=r.ticket,
                    seq=1,
                    action="import_history",
                    from_status="",
                    to_status=S.CLOSED,
                    actor=actor,
                    unit=r.unit,
                    note=clean_text(r.note),
                    data={"external_id": r.ticket.external_id},
                    created_at=r.ticket.received_at,
                )
                for r in requests
            ],
            batch_size=500,
        )
        Assignment.objects.bulk_create(
            [
                Assignment(
                    ticket=r.ticket,
                    unit=r.unit,
                    role=Assignment.Role.LEAD,
                    state=Assignment.State.REPLIED,
                    dispatched_at=r.ticket.received_at,
                    replied_at=r.ticket.replied_at or r.ticket.received_at,
                    reply=r.reply,
                )
                for r in requests
                if r.unit is not None
            ],
            batch_size=500,
        )
    return len(tickets)


def apply(
    ticket: Ticket,
    action: str,
    *,
    actor: Actor | None = None,
    unit: Unit | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
    co_tasks: Sequence[tuple[Unit, str]] = (),
    extension: Extension | None = None,
) -> TicketEvent:
    """Make one move on ``ticket``: new status and ``changes``, recomputed deadlines, the move's
    effects on the ticket's rows, one event.

    ``co_tasks`` are the co-units and their tasks of a dispatch (the lead unit is
    ``changes["lead_unit"]``, its task the note); ``extension`` is the request being made (unsaved)
    or decided. ``ticket`` is updated in place on success and left exactly as it was on failure.
    """
    move = check(ticket, action)
    now = at or timezone.now()
    changes = {**(changes or {}), **_effect_changes(ticket, move, action, extension)}
    old_status, old_version = ticket.status, ticket.version
    target = move.target or old_status
    # The centre's clocks stop at the first move out of "registered" and the first dispatch.
    if old_status == S.REGISTERED and target != S.REGISTERED and ticket.responded_at is None:
        changes["responded_at"] = now
    if action == "dispatch" and ticket.first_dispatched_at is None:
        changes["first_dispatched_at"] = now
    if action == "dispatch" and ticket.long_cycle_until is not None:
        # A new unit starts on the tier's deadline: a long-running grant was the old unit's.
        changes.update(long_cycle_until=None, progress_every=0, progress_at=None)
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
        # A savepoint when the caller has a transaction (none in an exclusive batch): an effect that
        # refuses (a co-unit without a task, a request decided meanwhile) undoes this move only and
        # leaves the caller's transaction usable. A lost race is reported after the block, having
        # written nothing.
        with service_block():
            won = _compare_and_set(ticket, written, old_version=old_version, old_status=old_status) == 1
            if won:
                data = dict(data or {})
                note = clean_text(note)
                _carry_out(
                    ticket,
                    move,
                    action,
                    unit=unit,
                    note=note,
                    now=now,
                    co_tasks=co_tasks,
                    extension=extension,
                    data=data,
                )
                event = TicketEvent(
                    ticket=ticket,
                    seq=ticket.version,
                    action=action,
                    from_status=old_status,
                    to_status=target,
                    actor=actor,
                    unit=unit,
                    note=note,
                    data=data,
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


def _effect_changes(ticket: Ticket, move: Move, action: str, extension: Extension | None) -> dict[str, Any]:
    """The ticket fields a move's effects change, written with the move's own compare-and-set."""
    out: dict[str, Any] = {}
    if E.WITHDRAW_EXTENSION in move.effects and ticket.extension_pending:
        out["extension_pending"] = False
    if E.OPEN_EXTENSION in move.effects:
        if extension is None or extension.pk is not None:
            raise TransitionError(_("An extension request needs its days and reason."), code="missing")
        out["extension_pending"] = True
    if E.DECIDE_EXTENSION in move.effects:
        if extension is None or extension.ticket_id != ticket.pk or extension.state != Extension.State.PENDING:
            raise TransitionError(_("This extension request has already been decided."), code="decided")
        out["extension_pending"] = False
        if action == "approve_extension":
            out["extension_days"] = ticket.extension_days + extension.days
    return out


def _carry_out(
    ticket: Ticket,
    move: Move,
    action: str,
    *,
    unit: Unit | None,
    note: str,
    now: dt.datetime,
    co_tasks: Sequence[tuple[Unit, str]],
    extension: Extension | None,
    data: dict[str, Any],
) -> None:
    """Write the ticket's own rows as the move declares; runs after the ticket's compare-and-set
    won, inside the same transaction. A refusal here undoes the whole move."""
    tasks = Assignment.objects.filter(ticket=ticket)
    # A ticket without a lead unit has no lead task: Django reads unit_id=None as IS NULL, which no
    # task matches. The plugin does not allow None in an exact lookup: ignored here and in RESTORE_TASK.
    lead_task = tasks.filter(unit_id=ticket.lead_unit_id, role=Assignment.Role.LEAD, state=Assignment.State.ACTIVE)  # type: ignore[misc]
    for effect in move.effects:
        if effect == E.WITHDRAW_EXTENSION:
            Extension.objects.filter(ticket=ticket, state=Extension.State.PENDING).update(
                state=Extension.State.WITHDRAWN, decided_at=now
            )
        elif effect == E.OPEN_TASKS:
            if ticket.lead_unit_id is None:
                raise TransitionError(_("A dispatch needs a lead unit."), code="missing")
            tasks.filter(state=Assignment.State.ACTIVE).update(state=Assignment.State.WITHDRAWN)
            Assignment.objects.bulk_create(
                [
                    Assignment(
                        ticket=ticket,
                        unit_id=ticket.lead_unit_id,
                        role=Assignment.Role.LEAD,
                        dispatched_at=now,
                        task=note,
                    )
                ]
                + [
                    Assignment(ticket=ticket, unit=co_unit, role=Assignment.Role.CO, dispatched_at=now, task=task)
                    for co_unit, task in co_tasks
                ]
            )
        elif effect == E.REOPEN_TASK:
            if ticket.lead_unit_id is not None:
                Assignment.objects.create(
                    ticket=ticket, unit_id=ticket.lead_unit_id, role=Assignment.Role.LEAD, dispatched_at=now, task=note
                )
        elif effect == E.SIGN_TASK:
            lead_task.update(signed_at=now)
        elif effect == E.RETURN_TASK:
            lead_task.update(state=Assignment.State.RETURNED)
        elif effect == E.REPLY_TASK:
            lead_task.update(state=Assignment.State.REPLIED, replied_at=now, reply=note)
        elif effect == E.RESTORE_TASK:
            last = tasks.filter(role=Assignment.Role.LEAD, unit_id=ticket.lead_unit_id).order_by("-id").first()  # type: ignore[misc]
            if last is not None:
                Assignment.objects.filter(pk=last.pk).update(state=Assignment.State.ACTIVE)
        elif effect == E.CO_REPLY_TASK:
            done = tasks.filter(unit=unit, role=Assignment.Role.CO, state=Assignment.State.ACTIVE).update(
                state=Assignment.State.REPLIED, replied_at=now, reply=note
            )
            if not done:
                raise TransitionError(
                    _("%(unit)s has no open co-handling task on this ticket.") % {"unit": unit}, code="not_co"
                )
        elif effect == E.ASSIGN_HANDLER:
            if not lead_task.update(handler_id=data.get("handler")):
                raise TransitionError(_("The lead unit has no open task on this ticket."), code="no_task")
        elif effect == E.OPEN_EXTENSION:
            assert extension is not None  # checked in _effect_changes
            extension.ticket = ticket
            extension.save(force_insert=True)
            data["extension"] = extension.pk
        elif effect == E.DECIDE_EXTENSION:
            assert extension is not None  # checked in _effect_changes
            decided = Extension.State.APPROVED if action == "approve_extension" else Extension.State.REFUSED
            # Claimed with a compare-and-set: a second decision finds it taken and undoes its move.
            if not Extension.objects.filter(pk=extension.pk, state=Extension.State.PENDING).update(
                state=decided, decided_at=now
            ):
                raise TransitionError(_("This extension request has already been decided."), code="decided")
            extension.state, extension.decided_at = decided, now
            data["extension"] = extension.pk


_FIELDS: dict[str, Field[Any, Any]] = {}


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


_EVENT_FIELDS: list[Field[Any, Any]] = []


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


def service_block() -> transaction.Atomic:
    """The transaction a service wraps its writes in: a savepoint when nested, so that a refused
    or lost move inside a caller's larger transaction leaves that transaction usable."""
    return transaction.atomic(savepoint=not _exclusive.get())


@contextlib.contextmanager
def exclusive_batch() -> Iterator[None]:
    """One transaction around many service calls by a single writer (the simulator, bulk loads),
    without a savepoint per call: they cost more than the writes themselves. Only for a writer
    that nobody races: any failure inside rolls back the whole batch."""
    token = _exclusive.set(True)
    try:
        with transaction.atomic():
            yield
    finally:
        _exclusive.reset(token)
