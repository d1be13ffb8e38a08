"""Supervision by hand (issue 15, item 6): a leader or supervisor issues 催办/督办/通报 on a ticket
with a note; the order has a page and a Word notice."""

import pytest
from django.core.exceptions import ValidationError

from hotline.dispatch.services import dispatch_ticket
from hotline.orgs.models import Staff
from hotline.outbox.models import Delivery
from hotline.supervision.models import Accountability, OrderLevel, SupervisionOrder
from hotline.supervision.orders import order_by_hand
from hotline.tickets.models import TicketEvent
from hotline.tickets.tests.helpers import at, new_ticket, township_matter
from hotline.tickets.transitions import TransitionError


@pytest.fixture
def handled(people, settings, tmp_path, django_user_model):
    settings.OUTBOX = {**settings.OUTBOX, "FILE": tmp_path / "outbox.jsonl"}
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    people.ticket = ticket
    leader = django_user_model.objects.create_user(username="leader", password="pw-for-tests-only")
    Staff.objects.create(user=leader, role=Staff.Role.LEADER, unit=people.centre)
    people.leader = leader
    return people


def test_a_leader_orders_a_notice_with_a_note(handled):
    order = order_by_hand(
        handled.ticket,
        level=OrderLevel.NOTICE,
        note="请三日内到现场处置并回复",
        actor=handled.leader,
        at=at(2026, 11, 3),
    )
    assert order.issued_by == handled.leader and order.unit == handled.township
    assert order.reason == "请三日内到现场处置并回复" and order.level == OrderLevel.NOTICE
    event = TicketEvent.objects.get(ticket=handled.ticket, action="supervise")
    assert event.actor == handled.leader and event.data["level"] == "notice"
    # The unit and the unit above it hear of it.
    assert Delivery.objects.filter(ticket=handled.ticket).count() == (2 if handled.township.parent else 1)


def test_a_public_notice_names_the_unit(handled):
    order_by_hand(handled.ticket, level=OrderLevel.PUBLIC, note="逾期未处置，予以通报", actor=handled.supervisor)
    assert Accountability.objects.get().unit == handled.township


def test_two_reminders_on_one_ticket_are_two_orders(handled):
    order_by_hand(
        handled.ticket, level=OrderLevel.REMINDER, note="请尽快签收", actor=handled.supervisor, at=at(2026, 11, 2, 11)
    )
    order_by_hand(
        handled.ticket, level=OrderLevel.REMINDER, note="再次催办", actor=handled.supervisor, at=at(2026, 11, 2, 15)
    )
    assert SupervisionOrder.objects.filter(ticket=handled.ticket).count() == 2


@pytest.mark.parametrize(
    ("level", "note"), [("shout", "请处理"), ("repeat", "请处理"), ("notice", ""), ("notice", "   ")]
)
def test_refused_without_a_note_or_with_an_unknown_level(handled, level, note):
    with pytest.raises(ValidationError):
        order_by_hand(handled.ticket, level=level, note=note, actor=handled.supervisor)
    assert not SupervisionOrder.objects.exists() and not Delivery.objects.exists()


def test_refused_on_a_ticket_no_unit_handles(handled, people):
    waiting = new_ticket(people.operator, content="路灯不亮。")
    with pytest.raises(ValidationError, match="nobody to supervise"):
        order_by_hand(waiting, level=OrderLevel.REMINDER, note="催", actor=handled.supervisor)
    from hotline.intake.services import invalidate_ticket

    invalidate_ticket(waiting, reason="测试", actor=people.dispatcher)
    with pytest.raises(TransitionError):
        order_by_hand(waiting, level=OrderLevel.REMINDER, note="催", actor=handled.supervisor)
    assert not SupervisionOrder.objects.exists()


def test_the_ticket_page_issues_it_and_the_order_has_a_page(handled, client):
    client.force_login(handled.leader)
    page = client.get(f"/tickets/{handled.ticket.code}/")
    assert b'action="/tickets/' in page.content and b"/supervise/" in page.content
    response = client.post(
        f"/tickets/{handled.ticket.code}/supervise/",
        {"supervise-level": "reminder", "supervise-note": "请今天内联系群众"},
    )
    assert response.status_code == 302
    order = SupervisionOrder.objects.get()
    shown = client.get(f"/s/orders/{order.pk}/")
    assert shown.status_code == 200 and "请今天内联系群众" in shown.content.decode()
    assert client.get(f"/s/notices/orders/{order.pk}.docx").status_code == 200
    # Without a note: refused with the form again, nothing written.
    again = client.post(
        f"/tickets/{handled.ticket.code}/supervise/", {"supervise-level": "notice", "supervise-note": ""}
    )
    assert again.status_code == 400 and SupervisionOrder.objects.count() == 1
    # Someone without the permission (an operator) cannot.
    client.force_login(handled.operator)
    assert (
        client.post(
            f"/tickets/{handled.ticket.code}/supervise/", {"supervise-level": "notice", "supervise-note": "x"}
        ).status_code
        == 403
    )
    # A unit that does not see the ticket does not see the order.
    client.force_login(handled.outsider)
    assert client.get(f"/s/orders/{order.pk}/").status_code == 403
