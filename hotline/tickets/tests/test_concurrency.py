"""Two dispatchers acting on one ticket at the same moment: exactly one wins, exactly one event.

Runs on both databases: SQLite queues the writers on its file lock, PostgreSQL lets both read and
race to the row; in both the compare-and-set on the ticket's version decides.
"""

import threading

import pytest
from django.db import close_old_connections, connection

from hotline.dispatch.services import dispatch_ticket
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.transitions import TransitionError

from .helpers import new_ticket, township_matter


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_race_and_exactly_one_wins(people):
    ticket = new_ticket(people.operator)
    matter = township_matter()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def dispatcher(unit):
        try:
            mine = Ticket.objects.get(pk=ticket.pk)  # each dispatcher read the ticket on their screen
            barrier.wait()
            dispatch_ticket(mine, lead_unit=unit, matter=matter)
            outcomes.append("won")
        except TransitionError:
            outcomes.append("lost")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=dispatcher, args=(u,)) for u in (people.township, people.other_township)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["lost", "won"]
    assert TicketEvent.objects.filter(ticket=ticket, action="dispatch").count() == 1
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.dispatch_count == 1 and fresh.version == 2
    assert fresh.assignments.count() == 1
