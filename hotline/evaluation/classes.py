"""答复分类: the centre confirms or overturns the class a unit gave its reply, and a final answer
(终局答复) closes a repeated demand already answered according to law.

The class decided here is what the rates read (``selectors._aggregates``/``_apply_classes``, by
the policy's class rules); an undecided class counts like any reply.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.intake.services import answer_directly
from hotline.orgs.places import place_key
from hotline.text import clean_text
from hotline.tickets import transitions
from hotline.tickets.models import FINAL_ANSWER_CLASSES, ClassDecision, ReplyClass, Status, Ticket

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor


def decide_class(
    ticket: Ticket,
    *,
    confirm: bool,
    new_class: str = "",
    final_answer: bool = False,
    note: str = "",
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> None:
    """The centre confirms the unit's class or overturns it to ``new_class``, with a note when it
    overturns; it may declare the reply a final answer (终局答复) when the class is one answered
    according to law. Refused, nothing written: a reply the unit did not class (resolved), an
    overturn to the same or an unknown class or without a note, a final answer on another class."""
    transitions.check(ticket, "decide_class")
    if not ticket.reply_class or ticket.reply_class == ReplyClass.RESOLVED:
        raise ValidationError({"__all__": _("The unit did not class this reply: there is nothing to decide.")})
    note = clean_text(note)
    limits.check_lengths(note=(note, limits.NOTE))
    if confirm:
        decided = ticket.reply_class
    else:
        if new_class not in ReplyClass.values or new_class == ticket.reply_class:
            raise ValidationError({"new_class": _("Overturning names another class.")})
        if not note:
            raise ValidationError({"note": _("Say why the class is overturned.")})
        decided = new_class
    if final_answer and decided not in FINAL_ANSWER_CLASSES:
        raise ValidationError({"final_answer": _("Only a reply answered according to law can be a final answer.")})
    transitions.apply(
        ticket,
        "decide_class",
        actor=actor,
        unit=ticket.lead_unit,
        note=note,
        at=at or timezone.now(),
        data={"from": ticket.reply_class, "to": decided, "final_answer": final_answer},
        changes={
            "class_decision": ClassDecision.CONFIRMED if confirm else ClassDecision.OVERTURNED,
            "decided_class": decided,
            "final_answer": final_answer,
        },
    )


def same_demand(ticket: Ticket, final: Ticket) -> bool:
    """A new request repeats a finally answered demand: the same matter, from the same requester
    or about the same place."""
    if ticket.matter_id is None or ticket.matter_id != final.matter_id:
        return False
    if ticket.requester_phone and ticket.requester_phone == final.requester_phone:
        return True
    here, there = place_key(ticket.address), place_key(final.address)
    return len(here) >= 2 and here == there


def answer_from_final(
    ticket: Ticket, *, final: Ticket, actor: Actor | None = None, at: dt.datetime | None = None
) -> None:
    """A new request about a demand already given a final answer is answered from the record, not
    dispatched again. Refused, nothing written: ``final`` is not a final answer, or the request
    is a different demand (another matter, another requester and place)."""
    if not final.final_answer or final.status not in (Status.REPLIED, Status.CLOSED):
        raise ValidationError({"final": _("Ticket %(code)s holds no final answer.") % {"code": final.code}})
    if final.pk == ticket.pk:
        raise ValidationError({"final": _("A ticket cannot be answered from itself.")})
    if not same_demand(ticket, final):
        raise ValidationError(
            {"final": _("This request is not the demand ticket %(code)s answered finally.") % {"code": final.code}}
        )
    answer = _("Answered finally under ticket %(code)s: %(result)s") % {"code": final.code, "result": final.result}
    answer_directly(ticket, answer=answer[: limits.RESULT], actor=actor, at=at, data={"final_answer": final.code})
