"""派 dispatch: send a ticket to its lead unit and co-units; consultation (会商研判) on complex ones.

Returns and the centre's review of them are in ``returns.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.catalog.models import Matter
from hotline.orgs.models import Unit
from hotline.tickets import transitions
from hotline.tickets.deadlines import tier_for
from hotline.tickets.models import Ticket

from . import learning
from .models import Consultation, ConsultationTask

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor


def dispatch_ticket(
    ticket: Ticket,
    *,
    lead_unit: Unit,
    co_units: Sequence[Unit] = (),
    matter: Matter | None = None,
    actor: Actor | None = None,
    note: str = "",
    tasks: Mapping[int, str] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Send the ticket to a lead unit (主办) and co-units (协办); the unit's clock starts now.

    ``note`` is the lead unit's task; ``tasks`` gives a co-unit (by its id) a task of its own."""
    transitions.check(ticket, "dispatch")  # before any block: a refused move leaves no trace
    matter = matter or ticket.matter
    errors: dict[str, str] = {}
    if lead_unit.kind == Unit.Kind.CENTRE or not lead_unit.is_active:
        errors["lead_unit"] = _("%(unit)s cannot lead a ticket.") % {"unit": lead_unit}
    if any(u.pk == lead_unit.pk for u in co_units):
        errors["co_units"] = _("The lead unit cannot also be a co-unit.")
    if len({u.pk for u in co_units}) != len(co_units):
        errors["co_units"] = _("A co-unit is listed twice.")
    if matter is not None and not matter.is_leaf:
        errors["matter"] = _("Choose a matter at the lowest level of the catalogue.")
    if errors:
        raise ValidationError(errors)
    now = at or timezone.now()
    tasks = tasks or {}
    with transitions.service_block():
        transitions.apply(
            ticket,
            "dispatch",
            actor=actor,
            unit=lead_unit,
            note=note,
            at=now,
            data={"lead": lead_unit.code, "co": [u.code for u in co_units], "matter": matter.code if matter else None},
            changes={
                "lead_unit": lead_unit,
                "matter": matter,
                "tier": tier_for(matter, ticket.urgency),
                "dispatched_at": now,
                "clock_started_at": now,
                "signed_at": None,
                "contacted_at": None,
                "dispatch_count": ticket.dispatch_count + 1,
                "extension_days": 0,  # a new unit starts a fresh clock; extensions belonged to the last
            },
            co_tasks=[(u, tasks.get(u.pk, "")) for u in co_units],
        )
        # A dispatcher who chose otherwise than the machine leaves a correction: training data.
        learning.record_correction(ticket, matter=matter, unit=lead_unit, actor=actor, at=now)


# --- 会商研判 consultation on complex tickets ------------------------------------------------------


def open_consultation(
    ticket: Ticket, *, topic: str, actor: Actor | None = None, at: dt.datetime | None = None
) -> Consultation:
    """The centre puts a complex ticket to the units concerned."""
    if not (topic or "").strip():
        raise ValidationError({"topic": _("Say what the consultation is to decide.")})
    if ticket.consultations.filter(decided_at__isnull=True).exists():
        raise ValidationError(_("This ticket already has an open consultation."))
    return Consultation.objects.create(
        ticket=ticket, topic=topic.strip(), convened_by=actor, opened_at=at or timezone.now()
    )


def decide_consultation(
    consultation: Consultation,
    *,
    lead_unit: Unit,
    lead_task: str,
    co_tasks: Sequence[tuple[Unit, str]] = (),
    conclusion: str,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> None:
    """The consultation names a lead unit and co-units, each with its own task, and the ticket is
    dispatched to them. Every unit later replies to its own task."""
    errors: dict[str, str] = {}
    if consultation.decided_at is not None:
        errors["consultation"] = _("This consultation has already been decided.")
    if not (conclusion or "").strip():
        errors["conclusion"] = _("Write the conclusion of the consultation.")
    if not (lead_task or "").strip() or any(not (task or "").strip() for _u, task in co_tasks):
        errors["tasks"] = _("Every unit needs its own task.")
    if errors:
        raise ValidationError(errors)
    now = at or timezone.now()
    ticket = consultation.ticket
    with transaction.atomic():
        dispatch_ticket(
            ticket,
            lead_unit=lead_unit,
            co_units=[u for u, _t in co_tasks],
            actor=actor,
            note=lead_task.strip(),
            tasks={u.pk: t.strip() for u, t in co_tasks},
            at=now,
        )
        Consultation.objects.filter(pk=consultation.pk).update(
            lead_unit=lead_unit, conclusion=conclusion.strip(), decided_at=now
        )
        ConsultationTask.objects.bulk_create(
            [ConsultationTask(consultation=consultation, unit=lead_unit, lead=True, task=lead_task.strip())]
            + [ConsultationTask(consultation=consultation, unit=u, task=t.strip()) for u, t in co_tasks]
        )
    consultation.refresh_from_db()


def reply_consultation_task(task: ConsultationTask, *, unit: Unit, text: str, at: dt.datetime | None = None) -> None:
    """A unit answers its own task of a consultation."""
    if task.unit_id != unit.pk:
        raise ValidationError(_("Only the unit given the task can reply to it."))
    if not (text or "").strip():
        raise ValidationError({"reply": _("The reply is empty.")})
    if task.replied_at is not None:
        raise ValidationError(_("This task has already been answered."))
    updated = ConsultationTask.objects.filter(pk=task.pk, replied_at__isnull=True).update(
        reply=text.strip(), replied_at=at or timezone.now()
    )
    if not updated:  # a second reply raced this one
        raise ValidationError(_("This task has already been answered."))
    task.refresh_from_db()
