"""One request through the whole loop, and the rules each step keeps."""

import pytest
from django.core.exceptions import ValidationError

from hotline.dispatch import returns
from hotline.dispatch.returns import refuse_return
from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation.models import Revisit
from hotline.evaluation.services import close_expired_revisits, record_revisit
from hotline.handling import services as handling
from hotline.intake.services import answer_directly, invalidate_ticket, merge_ticket
from hotline.tickets.models import Assignment, DeadlineState, Status, Ticket, TicketEvent
from hotline.tickets.transitions import TransitionError

from .helpers import at, new_ticket, township_matter


def actions(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("seq").values_list("action", flat=True))


def test_the_whole_loop_leaves_one_event_per_change(people):
    p = people
    ticket = new_ticket(p.operator)
    assert ticket.code == "XN20261102000001" and ticket.status == Status.REGISTERED
    assert ticket.region.name == "东关大街街道"
    matter = township_matter()
    dispatch_ticket(
        ticket, lead_unit=p.township, co_units=[p.housing], matter=matter, actor=p.dispatcher, at=at(2026, 11, 2, 9, 20)
    )
    assert ticket.status == Status.DISPATCHED and ticket.tier == 7
    assert ticket.resolve_due == at(2026, 11, 11, 9, 20)  # Mon + 7 working days
    assert ticket.sign_due == at(2026, 11, 3, 9, 20) and ticket.sign_state == DeadlineState.ON_TIME
    handling.sign(ticket, unit=p.township, actor=p.street, at=at(2026, 11, 2, 10))
    handling.record_contact(ticket, unit=p.township, actor=p.street, note="已电话联系", at=at(2026, 11, 2, 11))
    handling.co_reply(ticket, unit=p.housing, actor=p.dept, text="已配合核查", at=at(2026, 11, 3, 11))
    ext = handling.request_extension(
        ticket, unit=p.township, days=3, reason="需协调商户搬离", actor=p.street, at=at(2026, 11, 5, 11)
    )
    handling.decide_extension(ext, approve=True, actor=p.supervisor, at=at(2026, 11, 5, 14))
    assert ticket.extension_days == 3 and ticket.resolve_due == at(2026, 11, 16, 9, 20)
    handling.reply(
        ticket, unit=p.township, actor=p.street, result="已清理占道摊点并设置巡查点。", at=at(2026, 11, 9, 16)
    )
    assert ticket.status == Status.REPLIED and ticket.resolve_state == DeadlineState.MET
    assert ticket.revisit_due == at(2026, 11, 12, 16)
    record_revisit(
        ticket, contacted=True, solved=True, satisfaction="satisfied", actor=p.operator, at=at(2026, 11, 10, 10)
    )
    assert ticket.status == Status.CLOSED

    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == Status.CLOSED and fresh.version == 9 and fresh.closed_at == at(2026, 11, 10, 10)
    assert actions(ticket) == [
        "register",
        "dispatch",
        "sign",
        "contact",
        "co_reply",
        "request_extension",
        "approve_extension",
        "reply",
        "close",
    ]
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, 10))
    assert events[-1].from_status == Status.REPLIED and events[-1].to_status == Status.CLOSED
    assert all(a.state == Assignment.State.REPLIED for a in ticket.assignments.all())


def test_a_dissatisfied_citizen_reopens_the_ticket_and_the_unit_redoes_it(people):
    p = people
    ticket = new_ticket(p.operator)
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, 2, 9, 30))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 2, 10))
    handling.reply(ticket, unit=p.township, result="已处理。", at=at(2026, 11, 3, 10))
    record_revisit(
        ticket,
        contacted=True,
        solved=False,
        satisfaction="dissatisfied",
        actionable=True,
        note="摊点又回来了",
        at=at(2026, 11, 4, 10),
    )
    assert ticket.status == Status.REOPENED and ticket.redo_count == 1
    assert ticket.resolve_due == at(2026, 11, 13, 10)  # a fresh clock from the reopening
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 4, 11))
    handling.reply(ticket, unit=p.township, result="已联合执法清理。", at=at(2026, 11, 6, 10))
    record_revisit(ticket, contacted=True, solved=True, satisfaction="basic", at=at(2026, 11, 6, 15))
    assert ticket.status == Status.CLOSED
    assert Revisit.objects.filter(ticket=ticket).count() == 2


def test_an_unreachable_revisit_is_kept_but_changes_nothing_and_the_window_closes_it(people):
    p = people
    ticket = new_ticket(p.operator)
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, 2, 9, 30))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 2, 10))
    handling.reply(ticket, unit=p.township, result="已处理。", at=at(2026, 11, 3, 10))
    record_revisit(ticket, outcome="unreachable", at=at(2026, 11, 4, 10))
    assert ticket.status == Status.REPLIED
    assert close_expired_revisits(now=at(2026, 11, 5, 10)) == 0  # window ends Fri 6 Nov 10:00
    assert close_expired_revisits(now=at(2026, 11, 6, 11)) == 1
    assert close_expired_revisits(now=at(2026, 11, 6, 12)) == 0  # twice is once
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_returns_are_kept_inside_the_window_and_stop_after_three_dispatches(people):
    p = people
    ticket = new_ticket(p.operator)
    matter = township_matter()
    dispatch_ticket(ticket, lead_unit=p.other_township, matter=matter, at=at(2026, 11, 2, 9, 30))
    with pytest.raises(ValidationError):
        returns.return_ticket(ticket, unit=p.other_township, reason="  ", at=at(2026, 11, 2, 10))
    with pytest.raises(TransitionError, match="lead unit"):
        returns.return_ticket(ticket, unit=p.township, reason="不归我们", at=at(2026, 11, 2, 10))
    returns.return_ticket(ticket, unit=p.other_township, reason="地址不在本辖区", at=at(2026, 11, 2, 10))
    assert ticket.status == Status.RETURNED and ticket.return_count == 1

    refuse_return(ticket, note="经核实属于该辖区", at=at(2026, 11, 2, 11))
    assert ticket.status == Status.DISPATCHED and ticket.lead_unit == p.other_township
    with pytest.raises(TransitionError) as late:
        returns.return_ticket(ticket, unit=p.other_township, reason="再退", at=at(2026, 11, 3, 10))
    assert late.value.code == "return_window"  # the window ran from the first dispatch
    assert Ticket.objects.get(pk=ticket.pk).status == Status.DISPATCHED

    handling.sign(ticket, unit=p.other_township, at=at(2026, 11, 3, 10, 30))
    ticket2 = new_ticket(p.operator, external_id=None)
    for n, unit in enumerate([p.other_township, p.housing, p.township]):
        dispatch_ticket(ticket2, lead_unit=unit, matter=matter, at=at(2026, 11, 2, 10 + n))
        if n < 2:
            returns.return_ticket(ticket2, unit=unit, reason="非本单位职责", at=at(2026, 11, 2, 10 + n, 30))
    with pytest.raises(TransitionError) as named:
        returns.return_ticket(ticket2, unit=p.township, reason="还是不归我们", at=at(2026, 11, 2, 13))
    assert named.value.code == "first_receiver"
    assert ticket2.dispatch_count == 3 and ticket2.status == Status.DISPATCHED


def test_an_extension_must_come_before_the_deadline_and_only_once_at_a_time(people):
    p = people
    ticket = new_ticket(p.operator)
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, 2, 9, 30))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 2, 10))
    ext = handling.request_extension(ticket, unit=p.township, days=2, reason="等待检测结果", at=at(2026, 11, 3))
    with pytest.raises(TransitionError, match="waiting"):
        handling.request_extension(ticket, unit=p.township, days=2, reason="再延", at=at(2026, 11, 3, 11))
    handling.decide_extension(ext, approve=False, at=at(2026, 11, 3, 15))
    with pytest.raises(TransitionError):
        handling.decide_extension(ext, approve=True, at=at(2026, 11, 3, 16))
    assert ticket.extension_days == 0
    with pytest.raises(TransitionError, match="passed"):
        handling.request_extension(ticket, unit=p.township, days=2, reason="来不及", at=at(2026, 11, 12))
    with pytest.raises(ValidationError):
        handling.request_extension(ticket, unit=p.township, days=0, reason="零天", at=at(2026, 11, 4))


def test_deadline_states_warn_then_turn_red(people):
    p = people
    ticket = new_ticket(p.operator)
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, 2, 9))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 2, 10))
    handling.record_contact(ticket, unit=p.township, note="已联系", at=at(2026, 11, 10, 20))  # late in the window
    assert ticket.resolve_state == DeadlineState.WARNING
    assert ticket.contact_state == DeadlineState.MET_LATE
    handling.record_contact(ticket, unit=p.township, note="again", at=at(2026, 11, 12))
    assert ticket.resolve_state == DeadlineState.OVERDUE
    handling.reply(ticket, unit=p.township, result="已处理。", at=at(2026, 11, 13))
    assert ticket.resolve_state == DeadlineState.MET_LATE


def test_same_day_tier_runs_on_the_clock_even_at_night_on_a_holiday(people):
    p = people
    ticket = new_ticket(
        p.operator,
        when=at(2026, 10, 3, 2),
        content="消防通道被私家车堵死了，凌晨有人报火警也进不来！",
        urgency="emergency",
    )
    assert ticket.tier == 0
    dispatch_ticket(ticket, lead_unit=p.township, matter=None, at=at(2026, 10, 3, 2, 5))
    assert ticket.tier == 0 and ticket.sign_due == at(2026, 10, 3, 3, 5)
    assert ticket.resolve_due == at(2026, 10, 4, 2, 5)


def test_direct_answer_merge_and_invalid(people):
    p = people
    a = new_ticket(p.operator, content="请问公积金提取需要带什么材料？", kind="consultation", address="")
    answer_directly(a, answer="携带身份证、银行卡到公积金中心窗口或线上办理。", actor=p.operator)
    assert a.status == Status.ANSWERED and a.closed_at is not None
    with pytest.raises(TransitionError):
        dispatch_ticket(a, lead_unit=p.township)
    b = new_ticket(p.operator)
    c = new_ticket(p.operator)
    merge_ticket(c, into=b, actor=p.operator)
    assert c.status == Status.MERGED and c.merged_into == b
    with pytest.raises(ValidationError):
        merge_ticket(b, into=b)
    with pytest.raises(ValidationError):
        invalidate_ticket(b, reason="")
    invalidate_ticket(b, reason="来电人撤回诉求", actor=p.operator)
    assert b.status == Status.INVALID


def test_a_second_decision_from_a_stale_screen_is_refused_by_the_database(people):
    from hotline.tickets.models import Extension

    p = people
    ticket = new_ticket(p.operator)
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, 2, 9, 30))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 2, 10))
    ext = handling.request_extension(ticket, unit=p.township, days=2, reason="等待检测", at=at(2026, 11, 3))
    other_screen = Extension.objects.get(pk=ext.pk)
    handling.decide_extension(ext, approve=True, at=at(2026, 11, 3, 15))
    other_ticket = Ticket.objects.get(pk=ticket.pk)
    other_screen.ticket = other_ticket
    with pytest.raises(TransitionError, match="already been decided"):
        handling.decide_extension(other_screen, approve=True, at=at(2026, 11, 3, 16))
    assert Ticket.objects.get(pk=ticket.pk).extension_days == 2


def test_a_pending_extension_dies_with_its_handling_cycle(people):
    from hotline.tickets.models import Extension

    p = people
    ticket = new_ticket(p.operator)
    matter = township_matter()
    dispatch_ticket(ticket, lead_unit=p.township, matter=matter, at=at(2026, 11, 2, 9, 30))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 2, 10))
    ext = handling.request_extension(ticket, unit=p.township, days=5, reason="协调中", at=at(2026, 11, 3))
    handling.reply(ticket, unit=p.township, result="已处理。", at=at(2026, 11, 4))
    assert Extension.objects.get(pk=ext.pk).state == Extension.State.WITHDRAWN
    record_revisit(
        ticket, contacted=True, solved=False, satisfaction="dissatisfied", actionable=True, at=at(2026, 11, 5)
    )
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 5, 11))
    # the old request neither blocks a new one nor adds days to the new clock
    handling.request_extension(ticket, unit=p.township, days=1, reason="再协调", at=at(2026, 11, 6))
    assert ticket.extension_days == 0


def test_a_redispatch_starts_the_new_unit_without_the_old_units_extension(people):
    p = people
    ticket = new_ticket(p.operator)
    matter = township_matter()
    dispatch_ticket(ticket, lead_unit=p.other_township, matter=matter, at=at(2026, 11, 2, 9, 30))
    handling.sign(ticket, unit=p.other_township, at=at(2026, 11, 2, 9, 40))
    ext = handling.request_extension(ticket, unit=p.other_township, days=5, reason="协调中", at=at(2026, 11, 2, 9, 50))
    handling.decide_extension(ext, approve=True, at=at(2026, 11, 2, 9, 55))
    returns.return_ticket(ticket, unit=p.other_township, reason="不在辖区", at=at(2026, 11, 2, 10))
    dispatch_ticket(ticket, lead_unit=p.township, matter=matter, at=at(2026, 11, 2, 11))
    assert ticket.extension_days == 0 and ticket.resolve_due == at(2026, 11, 11, 11)
