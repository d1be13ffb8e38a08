"""Merge from the console: when the likely-repeat panel finds the same request, the operator folds
the call into the existing ticket instead of registering a second one."""

from __future__ import annotations

import pytest
from django.test import Client

from hotline.intake.services import invalidate_ticket
from hotline.tickets.models import Status, Ticket, TicketEvent
from hotline.tickets.tests.helpers import new_ticket

# Their tickets are received on fixed dates (tickets.tests.helpers.new_ticket): one pinned day.
pytestmark = [pytest.mark.django_db, pytest.mark.clock(day="2026-12-09")]
CALL = {
    "channel": "phone_12345",
    "kind": "complaint",
    "urgency": "normal",
    "requester_phone": "13912345678",
    "content": "东关大街12号门口占道经营又来了，还是堵得走不动",
    "address": "城东区东关大街街道东关大街12号",
    "key": "k" * 16,
}


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_panel_offers_the_merge_and_the_call_is_folded_into_the_original(people):
    original = new_ticket(people.operator)
    operator = as_(people.operator)
    panel = operator.get(
        "/insight/repeats/", {"requester_phone": CALL["requester_phone"], "content": CALL["content"]}
    ).content.decode()
    assert f'name="merge_into" value="{original.code}"' in panel and 'form="register-form"' in panel

    response = operator.post("/console/", {**CALL, "merge_into": original.code}, follow=True)
    assert response.status_code == 200
    call = Ticket.objects.exclude(pk=original.pk).get()
    assert call.status == Status.MERGED and call.merged_into == original
    assert call.content == CALL["content"] and call.registered_by == people.operator  # the caller's words kept
    assert original.code in response.content.decode()
    # Nothing waits for dispatch twice; a resend of the same form merges once.
    assert Ticket.objects.filter(status=Status.REGISTERED).count() == 1
    operator.post("/console/", {**CALL, "merge_into": original.code})
    assert Ticket.objects.count() == 2 and TicketEvent.objects.filter(action="merge").count() == 1


def test_a_dispatcher_or_a_unit_gets_no_merge_button(people):
    new_ticket(people.operator)
    # Units do not register calls; the panel outside the console (no console fields) offers no merge either.
    supervisor_panel = as_(people.supervisor).get("/insight/repeats/", {"phone": CALL["requester_phone"]})
    assert "merge_into" not in supervisor_panel.content.decode()


@pytest.mark.parametrize("into", ["XN00000000000000", "<b>x</b>", "void", "x" * 500])
def test_merging_into_a_ticket_that_is_not_there_registers_nothing(people, into):
    original = new_ticket(people.operator)
    if into == "void":  # invalid (or merged) itself: nothing to fold a call into
        invalidate_ticket(original, reason="恶意骚扰")
        into = original.code
    before = Ticket.objects.count()
    response = as_(people.operator).post("/console/", {**CALL, "merge_into": into})
    assert response.status_code == 400 and "<b>x</b>" not in response.content.decode()
    assert Ticket.objects.count() == before


def test_a_finished_request_takes_no_repeat_call(people):
    from hotline.dispatch.services import answer_from_knowledge
    from hotline.knowledge.models import Article

    original = new_ticket(people.operator)
    answer_from_knowledge(original, article=Article.objects.filter(is_active=True).first(), actor=people.operator)
    operator = as_(people.operator)
    panel = operator.get("/insight/repeats/", {"requester_phone": CALL["requester_phone"], "content": CALL["content"]})
    assert original.code in panel.content.decode() and "merge_into" not in panel.content.decode()
    response = operator.post("/console/", {**CALL, "merge_into": original.code})
    assert response.status_code == 400 and Ticket.objects.count() == 1


def test_an_empty_merge_field_is_an_ordinary_registration(people):
    new_ticket(people.operator)
    as_(people.operator).post("/console/", {**CALL, "merge_into": ""})
    assert Ticket.objects.filter(status=Status.REGISTERED).count() == 2


def test_a_unit_cannot_use_the_console_to_merge(people):
    original = new_ticket(people.operator)
    assert as_(people.street).post("/console/", {**CALL, "merge_into": original.code}).status_code == 403
    assert Ticket.objects.count() == 1


def test_a_merge_of_an_empty_call_is_refused_like_a_registration(people):
    original = new_ticket(people.operator)
    response = as_(people.operator).post("/console/", {**CALL, "content": "", "merge_into": original.code})
    assert response.status_code == 400 and Ticket.objects.count() == 1
