"""A deadline in a year the holiday table lacks is computed, marked provisional, and fixed later."""

import datetime as dt

from hotline.dispatch.services import dispatch_ticket
from hotline.tickets.models import Ticket, TicketEvent
from hotline.workcal.models import CalendarYear, SpecialDay

from .helpers import at, new_ticket, township_matter


def test_entering_next_years_schedule_recomputes_provisional_deadlines(people, django_capture_on_commit_callbacks):
    # Whatever the installed chinese-calendar knows, 2027 starts out unentered here.
    CalendarYear.objects.filter(year=2027).delete()
    SpecialDay.objects.filter(date__year=2027).delete()
    ticket = new_ticket(people.operator, when=at(2026, 11, 2, 9))
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 12, 30, 10))
    assert ticket.deadlines_provisional
    assert ticket.resolve_due == at(2027, 1, 8, 10)  # weekends only: 31 Dec, 1, 4, 5, 6, 7, 8 Jan

    with django_capture_on_commit_callbacks(execute=True):
        SpecialDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦", source="manual")
        CalendarYear.objects.create(year=2027, complete=True, source="manual")
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert not fresh.deadlines_provisional
    assert fresh.resolve_due == at(2027, 1, 11, 10)  # New Year's Day no longer counts
    assert TicketEvent.objects.filter(ticket=ticket, action="recompute_deadlines").exists()


def test_a_holiday_that_touches_no_deadline_writes_no_event(people, django_capture_on_commit_callbacks):
    CalendarYear.objects.filter(year=2027).delete()
    SpecialDay.objects.filter(date__year=2027).delete()
    ticket = new_ticket(people.operator, when=at(2026, 11, 2, 9))
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 12, 30, 10))
    with django_capture_on_commit_callbacks(execute=True):
        SpecialDay.objects.create(date=dt.date(2027, 10, 1), is_workday=False, name="国庆节", source="manual")
    assert not TicketEvent.objects.filter(ticket=ticket, action="recompute_deadlines").exists()
    assert Ticket.objects.get(pk=ticket.pk).deadlines_provisional
