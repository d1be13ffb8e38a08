"""The supervision pool: red, yellow and green, worst first, scoped to the viewer."""

import pytest

from hotline.dispatch.services import dispatch_ticket
from hotline.supervision import orders, scan, selectors
from hotline.tickets.tests.helpers import at, new_ticket, township_matter


@pytest.fixture
def three(people):
    p = people
    p.tickets = []
    for day in (2, 5, 9):  # due 11-11, 11-16, 11-18 (09:00)
        ticket = new_ticket(p.operator, when=at(2026, 11, day, 9), address=f"城东区东关大街街道{day}号院")
        dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, day, 9))
        p.tickets.append(ticket)
    orders.escalate(now=at(2026, 11, 10, 9, 30))  # the reminder for the first
    now = at(2026, 11, 12, 10)
    scan.scan_deadlines(now=now)
    orders.escalate(now=now)  # its notice; a reminder missed while the worker was down is not sent late
    p.now = now
    return p


def test_the_pool_is_red_yellow_green_worst_first_with_escalations(three):
    rows = list(selectors.pool(three.supervisor, now=three.now))
    assert [r.code for r in rows][0] == three.tickets[0].code
    assert rows[0].colour_rank == 0 and rows[0].escalation == 2 and rows[0].order_count == 2  # reminder + notice
    counts = selectors.pool_counts(three.supervisor, now=three.now)
    assert counts["total"] == 3 and counts["red"] >= 1
    assert counts["red"] + counts["yellow"] + counts["green"] == 3
    red = selectors.pool(three.supervisor, {"colour": "red"}, now=three.now)
    assert three.tickets[0] in red
    assert [o.level for o in selectors.escalations(three.tickets[0])] == ["reminder", "notice"]
    assert list(selectors.pool(three.supervisor, {"level": "notice"}, now=three.now)) == [three.tickets[0]]


def test_the_pool_is_scoped_to_the_viewer(three):
    assert selectors.pool(three.street, now=three.now).count() == 3  # the unit's own
    assert selectors.pool(three.outsider, now=three.now).count() == 0
    assert selectors.pool_counts(three.outsider, now=three.now) == {
        "red": 0,
        "yellow": 0,
        "green": 0,
        "total": 0,
        "waiting_dispatch": 0,
        "waiting_revisit": 0,
    }


@pytest.mark.parametrize("bad", [{"colour": "purple"}, {"level": "shout"}, {"sort": "x"}])
def test_bad_filters_are_refused(three, bad):
    with pytest.raises(ValueError):
        list(selectors.pool(three.supervisor, bad))


def test_empty_filters_are_ignored_and_district_filters(three):
    assert selectors.pool(three.supervisor, {"colour": "", "unit": None}, now=three.now).count() == 3
    district = three.tickets[0].region.parent_id
    assert selectors.pool(three.supervisor, {"district": district}, now=three.now).count() == 3
    assert selectors.pool(three.supervisor, {"district": "630121"}, now=three.now).count() == 0


def test_red_is_overdue_and_yellow_is_near_or_late_at_the_moment_asked(three):
    from hotline.tickets.models import Ticket
    from hotline.tickets.selectors import overdue

    # 11-12 10:00: the first is past its resolution deadline (11-11 09:00); the other two were
    # never signed for, their sign-off deadlines (11-06, 11-10) have passed: late, not overdue.
    counts = selectors.pool_counts(three.supervisor, now=three.now)
    assert (counts["red"], counts["yellow"], counts["green"]) == (1, 2, 0)
    assert counts["red"] == Ticket.objects.filter(overdue(three.now)).count()
    # A moment later in the month all three have run out: the colours follow the clock, not the
    # last scan.
    later = at(2026, 11, 20, 10)
    assert selectors.pool_counts(three.supervisor, now=later)["red"] == 3
