"""延期 the 17:00 rule: an extension is asked before the deadline and before the cut-off of its day."""

import pytest

from hotline.dispatch.services import dispatch_ticket
from hotline.handling import services as handling
from hotline.supervision.scan import scan_deadlines
from hotline.tickets.models import DeadlineState, Extension, Ticket
from hotline.tickets.tests.helpers import at, new_ticket, township_matter
from hotline.tickets.transitions import TransitionError


def evening_ticket(p):
    ticket = new_ticket(p.operator, when=at(2026, 11, 2, 17, 20))
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, 2, 17, 30))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 3, 9))
    assert ticket.resolve_due == at(2026, 11, 11, 17, 30)
    return ticket


def test_a_request_at_1659_on_the_last_day_is_accepted(people):
    ticket = evening_ticket(people)
    handling.request_extension(ticket, unit=people.township, days=2, reason="等待检测", at=at(2026, 11, 11, 16, 59))
    assert ticket.extension_pending


@pytest.mark.parametrize("minute", [0, 10, 29])
def test_a_request_from_1700_is_late_changes_nothing_and_the_ticket_turns_overdue(people, minute):
    ticket = evening_ticket(people)
    version = ticket.version
    with pytest.raises(TransitionError, match="closed at 2026-11-11 17:00") as late:
        handling.request_extension(
            ticket, unit=people.township, days=2, reason="来不及了", at=at(2026, 11, 11, 17, minute)
        )
    assert late.value.code == "late"
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.version == version and not fresh.extension_pending
    assert not Extension.objects.filter(ticket=ticket).exists()
    scan_deadlines(now=at(2026, 11, 11, 17, 31))
    assert Ticket.objects.get(pk=ticket.pk).resolve_state == DeadlineState.OVERDUE


def test_a_morning_deadline_closes_requests_at_the_deadline_itself(people):
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9))
    handling.sign(ticket, unit=people.township, at=at(2026, 11, 2, 10))
    assert handling.extension_cutoff(ticket.resolve_due) == at(2026, 11, 11, 9)
    with pytest.raises(TransitionError):
        handling.request_extension(ticket, unit=people.township, days=2, reason="晚了", at=at(2026, 11, 11, 9, 0))
    handling.request_extension(ticket, unit=people.township, days=2, reason="还来得及", at=at(2026, 11, 11, 8, 59))


def test_the_cutoff_is_a_setting(people, settings):
    settings.HOTLINE = {**settings.HOTLINE, "EXTENSION_CUTOFF": "12:00"}
    ticket = evening_ticket(people)
    with pytest.raises(TransitionError):
        handling.request_extension(ticket, unit=people.township, days=2, reason="午后", at=at(2026, 11, 11, 12, 0))
    handling.request_extension(ticket, unit=people.township, days=2, reason="前一天", at=at(2026, 11, 10, 18))
