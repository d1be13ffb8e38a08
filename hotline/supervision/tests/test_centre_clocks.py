"""The centre's clocks from intake (issue 15, item 1): a dispatch deadline by urgency, a
first-response deadline for online channels, the queue's order, the pool, and escalation."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from hotline.dispatch import selectors as dispatch_selectors
from hotline.dispatch.services import dispatch_ticket
from hotline.intake.services import invalidate_ticket
from hotline.outbox.models import Delivery
from hotline.settings import envspans
from hotline.supervision import orders, scan
from hotline.supervision import selectors as supervision
from hotline.supervision.models import OrderLevel, SupervisionOrder
from hotline.tickets.models import DeadlineState, Ticket, TicketEvent, Urgency
from hotline.tickets.tests.helpers import at, new_ticket, township_matter

MON_9 = at(2026, 11, 2, 9)  # a Monday


def test_dispatch_due_by_urgency_from_receipt(people):
    emergency = new_ticket(people.operator, when=MON_9, urgency=Urgency.EMERGENCY)
    urgent = new_ticket(people.operator, when=MON_9, urgency=Urgency.URGENT, content="路灯不亮了两天，晚上很黑。")
    normal = new_ticket(people.operator, when=MON_9, content="小区垃圾好几天没人清运，味道很大。")
    assert emergency.dispatch_due == at(2026, 11, 2, 9, 20)  # 20 minutes on the clock
    assert urgent.dispatch_due == at(2026, 11, 2, 11)  # 2 hours
    assert normal.dispatch_due == at(2026, 11, 3, 9)  # 1 working day
    assert {t.dispatch_state for t in (emergency, urgent, normal)} == {DeadlineState.ON_TIME}
    # A phone call has no first-response clock: the call itself was the response.
    assert emergency.respond_due is None and emergency.respond_state == DeadlineState.NONE


def test_dispatch_due_counts_working_days_over_a_weekend(people):
    friday = new_ticket(people.operator, when=at(2026, 11, 6, 16))
    assert friday.dispatch_due == at(2026, 11, 9, 16)  # Monday, same time


def test_online_channel_gets_a_first_response_deadline(people):
    web = new_ticket(people.operator, when=MON_9, channel="web_portal")
    mail = new_ticket(people.operator, when=MON_9, channel="mayor_mailbox", content="建议在东关大街增设公交站。")
    assert web.respond_due == at(2026, 11, 2, 11)
    assert mail.respond_due == at(2026, 11, 3, 9)
    # Answered late by invalidating it: the response is met late, and the dispatch clock stops
    # without a dispatch (nothing was late to dispatch).
    invalidate_ticket(web, reason="重复提交的测试留言", actor=people.dispatcher, at=at(2026, 11, 2, 12))
    fresh = Ticket.objects.get(pk=web.pk)
    assert fresh.responded_at == at(2026, 11, 2, 12)
    assert fresh.respond_state == DeadlineState.MET_LATE
    assert fresh.dispatch_state == DeadlineState.NONE and fresh.first_dispatched_at is None


def test_first_dispatch_stops_the_clock_and_a_redispatch_does_not_move_it(people):
    ticket = new_ticket(people.operator, when=MON_9, urgency=Urgency.EMERGENCY)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    assert ticket.dispatch_state == DeadlineState.MET
    assert ticket.first_dispatched_at == at(2026, 11, 2, 9, 10)
    late = new_ticket(people.operator, when=MON_9, urgency=Urgency.EMERGENCY, content="东关大街积水很深，车过不去。")
    dispatch_ticket(late, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 10))
    assert late.dispatch_state == DeadlineState.MET_LATE


def test_scan_turns_a_waiting_ticket_red_and_the_pool_shows_it(people):
    ticket = new_ticket(people.operator, when=MON_9, urgency=Urgency.EMERGENCY)
    on_time = new_ticket(people.operator, when=MON_9, content="小区垃圾好几天没人清运，味道很大。")
    assert scan.scan_deadlines(now=at(2026, 11, 2, 9, 17))["changed"] == 1  # < 20% of 20 minutes left
    assert Ticket.objects.get(pk=ticket.pk).dispatch_state == DeadlineState.WARNING
    assert scan.scan_deadlines(now=at(2026, 11, 2, 9, 21))["changed"] == 1
    assert Ticket.objects.get(pk=ticket.pk).dispatch_state == DeadlineState.OVERDUE
    assert scan.scan_deadlines(now=at(2026, 11, 2, 9, 21))["changed"] == 0  # idempotent
    pool = list(supervision.pool(people.supervisor, now=at(2026, 11, 2, 9, 21)))
    # The late one is in the pool (yellow: the centre is late, no unit is overdue); the one on time
    # waits in the queue only.
    assert [t.pk for t in pool] == [ticket.pk]
    assert pool[0].colour_rank == 1
    assert on_time.pk not in {t.pk for t in pool}
    counts = supervision.pool_counts(people.supervisor, now=at(2026, 11, 2, 9, 21))
    assert counts["red"] == 0 and counts["yellow"] == 1


def test_late_dispatch_escalates_to_the_centre_once(people, tmp_path, settings):
    settings.OUTBOX = {**settings.OUTBOX, "FILE": tmp_path / "outbox.jsonl"}
    ticket = new_ticket(people.operator, when=MON_9, urgency=Urgency.EMERGENCY)
    # Before the deadline nothing fires, even the level set a day before it.
    assert sum(orders.escalate_dispatch(now=at(2026, 11, 2, 9, 15)).values()) == 0
    issued = orders.escalate_dispatch(now=at(2026, 11, 2, 9, 25))
    assert issued[OrderLevel.REMINDER] == 1 and issued[OrderLevel.NOTICE] == 0
    order = SupervisionOrder.objects.get(ticket=ticket)
    assert order.unit == people.centre and order.due == ticket.dispatch_due
    assert TicketEvent.objects.filter(ticket=ticket, action="supervise").count() == 1
    assert Delivery.objects.filter(unit=people.centre, ticket=ticket).count() == 1
    # Twice at the same time: nothing more.
    assert sum(orders.escalate_dispatch(now=at(2026, 11, 2, 9, 30)).values()) == 0
    # A working day later the ladder's next level (督办) fires, again addressed to the centre.
    assert orders.escalate_dispatch(now=at(2026, 11, 3, 9, 30))[OrderLevel.NOTICE] == 1
    assert SupervisionOrder.objects.filter(ticket=ticket).count() == 2


def test_a_dispatched_ticket_is_never_escalated_for_dispatch(people, tmp_path, settings):
    settings.OUTBOX = {**settings.OUTBOX, "FILE": tmp_path / "outbox.jsonl"}
    ticket = new_ticket(people.operator, when=MON_9, urgency=Urgency.EMERGENCY)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9, 40))
    assert sum(orders.escalate_dispatch(now=at(2026, 11, 4, 10)).values()) == 0
    assert not SupervisionOrder.objects.filter(ticket=ticket).exists()


def test_queue_puts_emergencies_first_then_the_soonest_due(people):
    normal = new_ticket(people.operator, when=at(2026, 11, 2, 8), content="小区垃圾好几天没人清运，味道很大。")
    later_emergency = new_ticket(
        people.operator, when=at(2026, 11, 2, 9, 30), urgency=Urgency.EMERGENCY, content="东关大街路面塌陷。"
    )
    emergency = new_ticket(people.operator, when=MON_9, urgency=Urgency.EMERGENCY, content="河堤渗水，很危险。")
    urgent = new_ticket(people.operator, when=at(2026, 11, 2, 7), urgency=Urgency.URGENT, content="路灯不亮了。")
    rows = list(dispatch_selectors.queue(people.dispatcher))
    assert [t.pk for t in rows] == [emergency.pk, later_emergency.pk, urgent.pk, normal.pk]


@pytest.mark.parametrize("bad", ["emergency=20", "emergency=20s", "=20m", "emergency=0m", "emergency=-5m", "x=1.5d"])
def test_malformed_spans_are_refused_at_start(monkeypatch, bad):
    monkeypatch.setenv("HOTLINE_TEST_SPANS", bad)
    with pytest.raises(ImproperlyConfigured):
        envspans("HOTLINE_TEST_SPANS", "")


def test_spans_parse(monkeypatch):
    monkeypatch.setenv("HOTLINE_TEST_SPANS", " emergency=20m, urgent=4h,normal=1d ,")
    assert envspans("HOTLINE_TEST_SPANS", "") == {
        "emergency": ("minutes", 20),
        "urgent": ("hours", 4),
        "normal": ("working_days", 1),
    }


def test_an_unconfigured_urgency_has_no_dispatch_clock(people, settings):
    settings.HOTLINE = {**settings.HOTLINE, "DISPATCH_DUE": {"emergency": ("minutes", 20)}}
    ticket = new_ticket(people.operator, when=MON_9)
    assert ticket.dispatch_due is None and ticket.dispatch_state == DeadlineState.NONE
    assert sum(orders.escalate_dispatch(now=at(2026, 12, 1)).values()) == 0


def test_the_report_counts_dispatch_timeliness(people):
    from hotline.reports.figures import period_figures
    from hotline.reports.periods import Kind

    fast = new_ticket(people.operator, when=MON_9, urgency=Urgency.EMERGENCY)
    slow = new_ticket(people.operator, when=MON_9, urgency=Urgency.EMERGENCY, content="东关大街积水很深。")
    waiting = new_ticket(people.operator, when=MON_9, content="小区垃圾好几天没人清运。")  # never dispatched
    dispatch_ticket(fast, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    dispatch_ticket(slow, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 11))
    f = period_figures(Kind.MONTHLY, at(2026, 11, 10).date(), now=at(2026, 12, 1))
    assert (f.first_dispatched, f.dispatched_on_time) == (2, 1) and f.dispatch_on_time_rate == 50.0
    assert waiting.first_dispatched_at is None
