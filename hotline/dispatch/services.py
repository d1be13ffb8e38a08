"""派 dispatch: send a ticket to its lead unit and co-units; consultation (会商研判) on complex ones.

Returns and the centre's review of them are in ``returns.py``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.catalog.models import Matter
from hotline.intake.services import merge_ticket, register_ticket
from hotline.knowledge.models import Article
from hotline.knowledge.services import answer_with_article
from hotline.orgs.models import Unit
from hotline.tickets import transitions
from hotline.tickets.deadlines import tier_for
from hotline.tickets.models import UNFINISHED, VOID, Kind, Ticket, Urgency

from . import learning, store
from .models import Consultation, ConsultationTask, DispatchSuggestion
from .suggest import Suggestions, suggest

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
    errors: dict[str, str] = limits.too_long(note=(note.strip(), limits.NOTE))
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
    limits.check_lengths(topic=(topic.strip(), limits.NOTE))
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
    conclusion = (conclusion or "").strip()
    tasks = [(lead_task or "").strip(), *((task or "").strip() for _u, task in co_tasks)]
    errors.update(limits.too_long(conclusion=(conclusion, limits.RESULT), tasks=(max(tasks, key=len), limits.NOTE)))
    if not conclusion:
        errors["conclusion"] = _("Write the conclusion of the consultation.")
    if not all(tasks):
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
    limits.check_lengths(reply=(text.strip(), limits.RESULT))
    if task.replied_at is not None:
        raise ValidationError(_("This task has already been answered."))
    updated = ConsultationTask.objects.filter(pk=task.pk, replied_at__isnull=True).update(
        reply=text.strip(), replied_at=at or timezone.now()
    )
    if not updated:  # a second reply raced this one
        raise ValidationError(_("This task has already been answered."))
    task.refresh_from_db()


# --- 话务台 the operator's console: one call, registered and answered or dispatched ----------------

_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def register_call(
    *,
    channel: str,
    content: str,
    title: str = "",
    requester_phone: str = "",
    requester_name: str = "",
    kind: str = Kind.HELP,
    urgency: str = Urgency.NORMAL,
    address: str = "",
    matter: Matter | None = None,
    anonymous: bool = False,
    confidential: bool = False,
    article: int | None = None,
    idempotency_key: str = "",
    company_name: str = "",
    company_code: str = "",
    actor: Actor | None,
) -> tuple[Ticket, bool]:
    """An operator registers a call. Returns the ticket and whether it is new.

    In one transaction: the ticket, then either the direct answer (直接答复) from the knowledge
    ``article`` the operator picked, or 自动派单 when the classifier is sure and agrees with any
    ``matter`` the operator chose (its suggestion is remembered either way, so a dispatcher's
    different choice counts as a correction). A refusal (``ValidationError``) leaves nothing
    behind, not even the ticket.

    The console sends an ``idempotency_key`` with every showing of its form: the same key gives
    the same ticket and nothing more is done, so a registration retried after a dropped connection
    never makes a second ticket.
    """
    key = (idempotency_key or "").strip()
    if key and not _KEY.match(key):
        raise ValidationError({"idempotency_key": _("The form could not be accepted; please send it again.")})
    chosen = None
    if article is not None:
        chosen = Article.objects.filter(pk=article, is_active=True).first()
        if chosen is None:
            raise ValidationError({"article": _("Choose a published knowledge article.")})
    # The machine reads the call once: its sure matter names the ticket (m9) and it decides the
    # dispatch below. An operator who answers from an article names it by the article's matter.
    made = suggest(content, address) if chosen is None else None
    with transitions.service_block():
        ticket, new = register_ticket(
            channel=channel,
            content=content,
            title=title,
            title_matter=(chosen.matter if chosen is not None else (sure_matter(made) if made else None)),
            kind=kind,
            requester_name=requester_name,
            requester_phone=requester_phone,
            anonymous=anonymous,
            confidential=confidential,
            address=address,
            matter=matter,
            urgency=urgency,
            external_id=f"console-{key}" if key else None,
            company_name=company_name,
            company_code=company_code,
            actor=actor,
        )
        if not new:
            return ticket, False  # the same call sent again: its ticket, as it stands now
        if chosen is not None:
            answer_from_knowledge(ticket, article=chosen, actor=actor)
        else:
            _dispatch_if_sure(ticket, chosen=matter, made=made)
    return ticket, True


def register_repeat_call(
    *,
    into: Ticket,
    channel: str,
    content: str,
    title: str = "",
    requester_phone: str = "",
    requester_name: str = "",
    kind: str = Kind.HELP,
    urgency: str = Urgency.NORMAL,
    address: str = "",
    matter: Matter | None = None,
    anonymous: bool = False,
    confidential: bool = False,
    idempotency_key: str = "",
    company_name: str = "",
    company_code: str = "",
    actor: Actor | None,
) -> tuple[Ticket, bool]:
    """A call about a request we already have (重复诉求), folded into ``into`` from the console.

    The call is still recorded as its own ticket (the caller's words and the call count), then
    merged into the original in the same transaction, so no second ticket ever waits for dispatch
    and a refusal (the original merged or invalid meanwhile, a bad field) leaves nothing behind.
    The same ``idempotency_key`` as ``register_call`` gives the same ticket: a resend merges once.
    """
    key = (idempotency_key or "").strip()
    if key and not _KEY.match(key):
        raise ValidationError({"idempotency_key": _("The form could not be accepted; please send it again.")})
    if into.status not in UNFINISHED and into.status not in VOID:
        # A request answered or closed is done: the same problem again is a new request, and
        # folding it into the finished ticket would hide it. (Merged and invalid originals are
        # refused by merge_ticket itself.)
        raise ValidationError(
            {"into": _("%(code)s is finished already: register the call as a new request.") % {"code": into.code}}
        )
    with transitions.service_block():
        ticket, new = register_ticket(
            channel=channel,
            content=content,
            title=title,
            kind=kind,
            requester_name=requester_name,
            requester_phone=requester_phone,
            anonymous=anonymous,
            confidential=confidential,
            address=address,
            matter=matter,
            urgency=urgency,
            external_id=f"console-{key}" if key else None,
            company_name=company_name,
            company_code=company_code,
            actor=actor,
        )
        if new:
            merge_ticket(ticket, into=into, actor=actor)
    return ticket, new


def sure_matter(suggestions: Suggestions | None) -> Matter | None:
    """The classifier's matter when it is sure of it: its best leaf at or above the auto-dispatch
    threshold, or the higher-level matter it fell back to. None when a person must decide."""
    if suggestions is None or suggestions.model_version is None:
        return None
    best = suggestions.best
    if best is not None and best.matter is not None and best.matter_confidence >= suggestions.threshold:
        return best.matter
    return suggestions.fallback


def answer_from_knowledge(
    ticket: Ticket,
    *,
    article: Article,
    note: str = "",
    actor: Actor | None = None,
    at: dt.datetime | None = None,
    suggestions: Suggestions | None = None,
) -> None:
    """直接答复 from the console, the ticket page or the simulator: the article is cited and the
    ticket carries a matter (M12). The rule, in order: the operator's own choice (a person heard
    the caller), the article's matter (what the answer was about), the classifier's when it is
    sure. Only when all three are missing does the answer stay without a matter."""
    fallback = None
    if ticket.matter_id is None and article.matter_id is None:
        made = suggestions or (suggest(ticket.content, ticket.address) if store.active()[0] is not None else None)
        fallback = sure_matter(made) if made is not None else None
    answer_with_article(ticket, article=article, note=note, matter=fallback, actor=actor, at=at)


def _dispatch_if_sure(ticket: Ticket, *, chosen: Matter | None, made: Suggestions | None = None) -> None:
    made = made or suggest(ticket.content, ticket.address)
    if made.model_version is None:
        # No classifier yet: a dispatcher decides, and the ticket page says why (m18).
        learning.suggest_for_ticket(ticket, suggestions=made, held=DispatchSuggestion.Held.NO_MODEL)
        return
    best = made.best
    if chosen is None or (best is not None and best.matter == chosen):
        learning.auto_dispatch(ticket, suggestions=made)
    else:
        learning.suggest_for_ticket(ticket, suggestions=made, held=DispatchSuggestion.Held.OPERATOR_MATTER)


def hold_for_dispatcher(ticket: Ticket, *, held: str, suggestions: Suggestions | None = None) -> None:
    """A door whose requests a dispatcher checks first (the public portal): the machine's
    suggestion is kept for the dispatcher, with the reason it did not dispatch alone."""
    made = suggestions or suggest(ticket.content, ticket.address)
    learning.suggest_for_ticket(ticket, suggestions=made, held=held)
