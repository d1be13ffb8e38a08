"""The declared table of moves, crashes mid-transition, and the append-only event log."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.tickets import transitions
from hotline.tickets.models import Status, Ticket, TicketEvent
from hotline.tickets.transitions import MOVES, TransitionError

from .helpers import new_ticket


@pytest.mark.parametrize("action", sorted(MOVES))
def test_every_action_refused_from_every_status_the_table_does_not_list(people, action):
    ticket = new_ticket(people.operator)
    for status in Status.values:
        if status in MOVES[action].sources:
            continue
        Ticket.objects.filter(pk=ticket.pk).update(status=status)
        ticket.status = status
        version = ticket.version
        with pytest.raises(TransitionError):
            transitions.apply(ticket, action)
        assert ticket.status == status and ticket.version == version
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1


def test_an_unknown_action_is_a_clear_error(people):
    ticket = new_ticket(people.operator)
    with pytest.raises(TransitionError, match="Unknown action|未知操作"):
        transitions.apply(ticket, "teleport")


@pytest.mark.django_db(transaction=True)
def test_a_crash_mid_transition_leaves_ticket_and_events_as_they_were(people, monkeypatch):
    # The ticket row is already updated when the event insert dies: the transaction takes both back.
    ticket = new_ticket(people.operator)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(transitions, "_insert_event", boom)
    with pytest.raises(RuntimeError):
        transitions.apply(ticket, "dispatch", changes={"lead_unit": people.township, "dispatch_count": 1})
    monkeypatch.undo()
    assert ticket.status == Status.REGISTERED and ticket.lead_unit is None and ticket.version == 1
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == Status.REGISTERED and fresh.lead_unit is None and fresh.version == 1
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1


def test_a_stale_copy_loses_to_the_fresh_one(people):
    ticket = new_ticket(people.operator)
    stale = Ticket.objects.get(pk=ticket.pk)
    transitions.apply(ticket, "note", note="first")
    with pytest.raises(TransitionError) as err:
        transitions.apply(stale, "note", note="second")
    assert err.value.code == "conflict"
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("note", flat=True).order_by("seq")) == [
        "",
        "first",
    ]


def test_events_are_append_only(people):
    ticket = new_ticket(people.operator)
    event = TicketEvent.objects.get(ticket=ticket)
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        TicketEvent.objects.filter(ticket=ticket).update(note="rewritten")
    with pytest.raises(TypeError):
        TicketEvent.objects.filter(ticket=ticket).delete()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(MOVES)), max_size=12))
def test_any_sequence_of_actions_keeps_status_version_and_events_in_step(people, sequence):
    ticket = new_ticket(people.operator, external_id=None)
    for action in sequence:
        before = ticket.status
        try:
            event = transitions.apply(ticket, action)
        except TransitionError:
            assert ticket.status == before
            continue
        assert before in MOVES[action].sources
        assert event.to_status == ticket.status == (MOVES[action].target or before)
    fresh = Ticket.objects.get(pk=ticket.pk)
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))
    assert fresh.status == ticket.status == events[-1].to_status
    assert fresh.version == len(events) == events[-1].seq
    for previous, current in zip(events, events[1:]):
        assert current.from_status == previous.to_status


def test_a_lost_race_inside_a_larger_transaction_leaves_it_usable(people):
    from django.db import transaction

    from hotline.dispatch.services import dispatch_ticket

    ticket = new_ticket(people.operator)
    stale = Ticket.objects.get(pk=ticket.pk)
    with transaction.atomic():
        transitions.apply(ticket, "note", note="someone else was first")
        with pytest.raises(TransitionError):
            dispatch_ticket(stale, lead_unit=people.township)
        assert Ticket.objects.filter(pk=ticket.pk, status=Status.REGISTERED).exists()  # still usable
    assert TicketEvent.objects.filter(ticket=ticket).count() == 2


def test_notes_lose_control_characters(people):
    ticket = new_ticket(people.operator)
    event = transitions.apply(ticket, "note", note="  已联系\x00\x1b[31m  ")
    assert TicketEvent.objects.get(pk=event.pk).note == "已联系[31m"


def test_an_exclusive_batch_is_all_or_nothing(people):
    from hotline.dispatch.services import dispatch_ticket

    before = Ticket.objects.count()
    with pytest.raises(RuntimeError), transitions.exclusive_batch():
        ticket = new_ticket(people.operator, external_id=None)
        dispatch_ticket(ticket, lead_unit=people.township)
        raise RuntimeError("the batch dies")
    assert Ticket.objects.count() == before
    assert not transitions._exclusive.get()  # the mode ends with the batch
