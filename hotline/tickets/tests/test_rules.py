"""One definition each: "overdue" and its kin agree with the deadline states a row shows, and the
status groups say what they say."""

import datetime as dt

from hotline.dispatch.services import dispatch_ticket
from hotline.handling import services as handling
from hotline.tickets import deadlines
from hotline.tickets.models import (
    AWAITING_DISPATCH,
    AWAITING_SIGN,
    HANDLING,
    IN_POOL,
    NOT_HANDLED,
    RUNNING,
    UNFINISHED,
    VOID,
    DeadlineState,
    Status,
    Ticket,
)
from hotline.tickets.selectors import late_to_contact, late_to_sign, overdue

from .helpers import at, new_ticket, township_matter


def test_the_status_groups():
    assert set(HANDLING) == {Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED}
    assert set(AWAITING_SIGN) < set(HANDLING)
    assert set(IN_POOL) == set(HANDLING) | {Status.RETURNED}
    assert set(RUNNING) == set(HANDLING) | {Status.REPLIED}
    assert set(UNFINISHED) == set(AWAITING_DISPATCH) | set(RUNNING)
    assert set(VOID) < set(NOT_HANDLED) and not set(NOT_HANDLED) & set(HANDLING)
    # Every status is either unfinished or finished in one of three ways.
    assert set(UNFINISHED) | {Status.ANSWERED, Status.CLOSED, *VOID} == set(Status.values)


def test_overdue_is_the_resolution_state_a_row_shows_at_every_moment(people):
    p = people
    ticket = new_ticket(p.operator)
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, 2, 9))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 2, 10))
    returned = new_ticket(p.operator, external_id=None)
    dispatch_ticket(returned, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, 2, 9))
    from hotline.dispatch.returns import return_ticket

    return_ticket(returned, unit=p.township, reason="不在辖区", at=at(2026, 11, 2, 11))
    moments = [ticket.resolve_due + dt.timedelta(minutes=m) for m in (-1, 0, 1)] + [at(2026, 11, 2, 9, 30)]
    for now in moments:
        for row in Ticket.objects.filter(pk__in=[ticket.pk, returned.pk]):
            deadlines.refresh_states(row, now)
            listed = Ticket.objects.filter(overdue(now), pk=row.pk).exists()
            assert listed == (row.resolve_state == DeadlineState.OVERDUE), (row.code, now)
            assert Ticket.objects.filter(late_to_sign(now), pk=row.pk).exists() == (
                row.sign_state == DeadlineState.OVERDUE
            )
            assert Ticket.objects.filter(late_to_contact(now), pk=row.pk).exists() == (
                row.contact_state == DeadlineState.OVERDUE
            )
    assert Ticket.objects.filter(overdue(ticket.resolve_due + dt.timedelta(minutes=1))).count() == 1  # not the returned
