"""Extension caps and long-running matters (issue 15, item 5): at most N extensions of at most M
working days (吕梁: 3 of 3), and a ledger of long matters with a progress update every N days."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hotline.dispatch.services import dispatch_ticket
from hotline.handling import selectors, services as handling
from hotline.supervision import scan
from hotline.tickets.models import DeadlineState, Extension, Ticket, TicketEvent
from hotline.tickets.tests.helpers import at, new_ticket, township_matter
from hotline.tickets.transitions import TransitionError


@pytest.fixture
def lvliang(settings):
    settings.HOTLINE = {**settings.HOTLINE, "EXTENSION_MAX_COUNT": 3, "EXTENSION_MAX_DAYS": 3}


@pytest.fixture
def signed(people):
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    handling.sign(ticket, unit=people.township, at=at(2026, 11, 2, 10))
    people.ticket = ticket
    return people


def _extend(p, when, days=3):
    ext = handling.request_extension(p.ticket, unit=p.township, days=days, reason="需协调多个部门", at=when)
    handling.decide_extension(Extension.objects.get(pk=ext.pk), approve=True, actor=p.supervisor, at=when)
    p.ticket = Ticket.objects.get(pk=p.ticket.pk)


def test_a_fourth_extension_is_refused(lvliang, signed):
    due = signed.ticket.resolve_due
    for day in (3, 4, 5):
        _extend(signed, at(2026, 11, day, 10))
    ticket = Ticket.objects.get(pk=signed.ticket.pk)
    assert ticket.extension_days == 9 and ticket.resolve_due > due
    events = TicketEvent.objects.filter(ticket=ticket).count()
    with pytest.raises(TransitionError) as refused:
        handling.request_extension(ticket, unit=signed.township, days=1, reason="还需要一天", at=at(2026, 11, 6, 10))
    assert refused.value.code == "cap"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events  # nothing written
    assert Extension.objects.filter(ticket=ticket).count() == 3


def test_a_refused_extension_does_not_use_up_the_cap(lvliang, signed):
    for day in (3, 4):
        _extend(signed, at(2026, 11, day, 10))
    ext = handling.request_extension(signed.ticket, unit=signed.township, days=2, reason="再等等", at=at(2026, 11, 5))
    handling.decide_extension(Extension.objects.get(pk=ext.pk), approve=False, actor=signed.supervisor)
    signed.ticket = ticket = Ticket.objects.get(pk=signed.ticket.pk)
    _extend(signed, at(2026, 11, 5, 11), days=1)  # the third approved one
    assert Ticket.objects.get(pk=ticket.pk).extension_days == 7


@pytest.mark.parametrize("days", [0, 4, 30, -1])
def test_an_extension_longer_than_the_cap_is_refused(lvliang, signed, days):
    with pytest.raises(ValidationError, match="between 1 and 3"):
        handling.request_extension(signed.ticket, unit=signed.township, days=days, reason="理由", at=at(2026, 11, 3))
    assert not Extension.objects.exists()


def test_a_redo_starts_a_new_count(lvliang, signed):
    from hotline.evaluation.services import record_revisit

    for day in (3, 4, 5):
        _extend(signed, at(2026, 11, day, 10))
    ticket = Ticket.objects.get(pk=signed.ticket.pk)
    handling.reply(ticket, unit=signed.township, result="已处理", at=at(2026, 11, 6, 10))
    record_revisit(
        ticket, contacted=True, solved=False, satisfaction="dissatisfied", actionable=True, at=at(2026, 11, 9)
    )
    handling.sign(ticket, unit=signed.township, at=at(2026, 11, 9, 11))
    assert handling.extensions_granted(ticket) == 0
    signed.ticket = ticket
    _extend(signed, at(2026, 11, 10, 10))  # allowed again in the new cycle


def test_a_long_running_matter_and_its_progress_ledger(signed, settings):
    settings.HOTLINE = {**settings.HOTLINE, "PROGRESS_EVERY_DAYS": 5, "LONG_CYCLE_MAX_DAYS": 180}
    ticket = signed.ticket
    handling.grant_long_cycle(
        ticket, days=120, note="涉及老旧小区改造，需列入年度计划", actor=signed.supervisor, at=at(2026, 11, 3, 10)
    )
    assert ticket.resolve_due == at(2026, 11, 2, 9, 10) + dt.timedelta(days=120)
    assert ticket.progress_due == at(2026, 11, 10, 10)  # 5 working days from the grant
    assert ticket.progress_state == DeadlineState.ON_TIME
    assert [t.pk for t in selectors.long_cycle_ledger(signed.supervisor)] == [ticket.pk]
    assert [t.pk for t in selectors.long_cycle_ledger(signed.street)] == [ticket.pk]  # the unit's own
    # Past the update's due date the scan turns it red; the unit's update sets the next one.
    scan.scan_deadlines(now=at(2026, 11, 10, 11))
    assert Ticket.objects.get(pk=ticket.pk).progress_state == DeadlineState.OVERDUE
    ticket = Ticket.objects.get(pk=ticket.pk)
    handling.record_progress(ticket, unit=signed.township, note="已完成方案设计，待财政审批", at=at(2026, 11, 10, 15))
    assert ticket.progress_due == at(2026, 11, 17, 15) and ticket.progress_state == DeadlineState.ON_TIME
    # The tier's deadline no longer turns the ticket overdue.
    assert ticket.resolve_state == DeadlineState.ON_TIME


def test_long_running_refusals(signed, settings):
    settings.HOTLINE = {**settings.HOTLINE, "LONG_CYCLE_MAX_DAYS": 180}
    ticket = signed.ticket
    with pytest.raises(TransitionError) as refused:
        handling.record_progress(ticket, unit=signed.township, note="进展", at=at(2026, 11, 3))
    assert refused.value.code == "not_long"
    with pytest.raises(ValidationError, match="1 to 180"):
        handling.grant_long_cycle(ticket, days=181, note="太长", at=at(2026, 11, 3))
    with pytest.raises(ValidationError):
        handling.grant_long_cycle(ticket, days=90, note="  ", at=at(2026, 11, 3))
    handling.grant_long_cycle(ticket, days=90, note="需要时间", at=at(2026, 11, 3))
    with pytest.raises(ValidationError, match="never shortened"):
        handling.grant_long_cycle(ticket, days=60, note="缩短", at=at(2026, 11, 4))
    with pytest.raises(TransitionError):
        handling.record_progress(ticket, unit=signed.other_township, note="不是我的", at=at(2026, 11, 4))
    with pytest.raises(ValidationError):
        handling.record_progress(ticket, unit=signed.township, note="", at=at(2026, 11, 4))


def test_the_ledger_page(signed, client):
    handling.grant_long_cycle(signed.ticket, days=90, note="需要时间", at=at(2026, 11, 3))
    client.force_login(signed.street)
    page = client.get("/long-cycles/")
    assert page.status_code == 200 and signed.ticket.code in page.content.decode()
    client.force_login(signed.outsider)  # another unit: not theirs
    assert signed.ticket.code not in client.get("/long-cycles/").content.decode()
    client.force_login(signed.operator)
    assert client.get("/long-cycles/").status_code == 403
