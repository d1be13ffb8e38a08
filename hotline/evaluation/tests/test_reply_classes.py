"""Reasonable and unreasonable requests (issue 15, item 2): the unit classes its reply with
evidence, the centre confirms or overturns, the rates follow the policy for each class, and a
final answer closes a repeated demand."""

import pytest
from django.core.exceptions import ValidationError

from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation import classes
from hotline.evaluation.models import Revisit
from hotline.evaluation.selectors import definitions, three_rates
from hotline.evaluation.services import record_revisit
from hotline.handling import services as handling
from hotline.tickets.models import ClassDecision, ReplyClass, Status, Ticket, TicketEvent
from hotline.tickets.tests.helpers import at, new_ticket, township_matter
from hotline.tickets.transitions import TransitionError

NO = {"contacted": True, "solved": False, "satisfaction": "dissatisfied"}
YES = {"contacted": True, "solved": True, "satisfaction": "satisfied"}


def replied(p, *, reply_class=ReplyClass.RESOLVED, evidence="", phone="13912345678", content="要求小区免费装电梯。"):
    ticket = new_ticket(p.operator, content=content, requester_phone=phone)
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 2, 10))
    handling.reply(
        ticket,
        unit=p.township,
        result="已向群众解释相关政策。",
        reply_class=reply_class,
        evidence=evidence,
        at=at(2026, 11, 3, 15),
    )
    return ticket


def test_a_class_other_than_resolved_needs_evidence(people):
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    handling.sign(ticket, unit=people.township, at=at(2026, 11, 2, 10))
    with pytest.raises(ValidationError, match="law, policy or fact"):
        handling.reply(ticket, unit=people.township, result="不予支持", reply_class="unreasonable", at=at(2026, 11, 3))
    with pytest.raises(ValidationError):
        handling.reply(
            ticket, unit=people.township, result="x", reply_class="whatever", evidence="y", at=at(2026, 11, 3)
        )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS


def test_a_confirmed_unreasonable_demand_leaves_the_rates(people):
    fair = replied(people, content="路灯不亮。")
    unfair = replied(
        people,
        reply_class=ReplyClass.UNREASONABLE,
        evidence="《物业管理条例》第X条：加装电梯费用由业主分摊",
        phone="13800000001",
    )
    record_revisit(fair, **YES, at=at(2026, 11, 4))
    record_revisit(unfair, **NO, at=at(2026, 11, 4))
    # Undecided: it counts like any reply.
    assert three_rates(Revisit.objects.all())["n"] == 2
    classes.decide_class(unfair, confirm=True, actor=people.supervisor, at=at(2026, 11, 5))
    unfair.refresh_from_db()
    assert unfair.class_decision == ClassDecision.CONFIRMED and unfair.decided_class == ReplyClass.UNREASONABLE
    rates = three_rates(Revisit.objects.all())
    assert rates["n"] == 1 and rates["resolution"] == 100.0
    assert "left out" in definitions()["sample"]
    assert TicketEvent.objects.filter(ticket=unfair, action="decide_class").count() == 1


def test_overturned_to_resolved_it_counts_again(people):
    ticket = replied(people, reply_class=ReplyClass.OUTSIDE_REMIT, evidence="属企业经营行为")
    record_revisit(ticket, **NO, at=at(2026, 11, 4))
    classes.decide_class(ticket, confirm=False, new_class="resolved", note="属街道职责，应当办理", at=at(2026, 11, 5))
    assert three_rates(Revisit.objects.all())["n"] == 1


def test_a_class_counted_as_solved(people, settings):
    settings.EVALUATION = {**settings.EVALUATION, "CLASS_POLICIES": {"explained": "solved"}}
    ticket = replied(people, reply_class=ReplyClass.EXPLAINED, evidence="依据现行政策已解释")
    record_revisit(ticket, **NO, at=at(2026, 11, 4))
    classes.decide_class(ticket, confirm=True, at=at(2026, 11, 5))
    rates = three_rates(Revisit.objects.all())
    assert rates["n"] == 1 and rates["resolution"] == 100.0
    assert "count as resolved" in definitions()["sample"]


def test_decisions_that_are_refused(people):
    resolved = replied(people, content="路灯不亮。")
    with pytest.raises(ValidationError, match="nothing to decide"):
        classes.decide_class(resolved, confirm=True)
    classed = replied(people, reply_class=ReplyClass.UNREASONABLE, evidence="无依据", phone="13800000002")
    with pytest.raises(ValidationError):
        classes.decide_class(classed, confirm=False, new_class="unreasonable", note="同一类")
    with pytest.raises(ValidationError):
        classes.decide_class(classed, confirm=False, new_class="explained", note="")
    with pytest.raises(ValidationError, match="final answer"):
        classes.decide_class(classed, confirm=False, new_class="outside_remit", note="非政府职责", final_answer=True)
    waiting = new_ticket(people.operator, content="噪音扰民。")
    with pytest.raises(TransitionError):
        classes.decide_class(waiting, confirm=True)
    assert not TicketEvent.objects.filter(action="decide_class").exists()


def test_a_final_answer_closes_a_repeated_demand(people):
    first = replied(people, reply_class=ReplyClass.UNREASONABLE, evidence="《条例》规定费用由业主分摊")
    classes.decide_class(first, confirm=True, final_answer=True, note="已多次答复", at=at(2026, 11, 5))
    again = new_ticket(people.operator, content="还是要求免费装电梯。", when=at(2026, 11, 20, 9))
    again.matter = first.matter
    again.save(update_fields=["matter"])
    classes.answer_from_final(
        again, final=Ticket.objects.get(pk=first.pk), actor=people.operator, at=at(2026, 11, 20, 10)
    )
    again.refresh_from_db()
    assert again.status == Status.ANSWERED and first.code in again.result and again.dispatch_count == 0
    assert TicketEvent.objects.get(ticket=again, action="answer").data["final_answer"] == first.code


def test_a_final_answer_on_a_different_demand_is_refused(people):
    first = replied(people, reply_class=ReplyClass.EXPLAINED, evidence="政策已解释")
    classes.decide_class(first, confirm=True, final_answer=True, at=at(2026, 11, 5))
    other = new_ticket(
        people.operator,
        content="别处的事。",
        requester_phone="13700000000",
        address="城北区朝阳街道祁连路8号",
        when=at(2026, 11, 20, 9),
    )
    other.matter = first.matter
    other.save(update_fields=["matter"])
    with pytest.raises(ValidationError, match="not the demand"):
        classes.answer_from_final(other, final=Ticket.objects.get(pk=first.pk), at=at(2026, 11, 20, 10))
    not_final = replied(people, content="路灯不亮。", phone="13700000001")
    with pytest.raises(ValidationError, match="no final answer"):
        classes.answer_from_final(other, final=not_final, at=at(2026, 11, 20, 10))
    assert Ticket.objects.get(pk=other.pk).status == Status.REGISTERED


def test_the_ticket_page_decides_the_class(people, client):
    ticket = replied(people, reply_class=ReplyClass.LEGAL_ROUTE, evidence="属劳动仲裁受理范围")
    client.force_login(people.supervisor)
    assert b"decide-class" in client.get(f"/tickets/{ticket.code}/").content
    response = client.post(
        f"/tickets/{ticket.code}/decide-class/",
        {"decide-class-confirm": "1", "decide-class-final_answer": "on", "decide-class-note": "引导至仲裁"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.final_answer and ticket.decided_class == ReplyClass.LEGAL_ROUTE
    client.force_login(people.street)  # a unit cannot decide its own class
    assert client.post(f"/tickets/{ticket.code}/decide-class/", {"decide-class-confirm": "1"}).status_code == 403
