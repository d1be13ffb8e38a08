"""Two workers on the same tick: one order, one event, one message sent.

Runs on both databases: SQLite queues the writers on its file lock, PostgreSQL lets both read and
race; the unique order key, the ticket's compare-and-set and the delivery's claim decide.
"""

import threading

import pytest
from django.db import close_old_connections, connection

from hotline.dispatch.services import dispatch_ticket
from hotline.outbox import delivery
from hotline.supervision import orders
from hotline.outbox.models import Delivery
from hotline.supervision.models import SupervisionOrder
from hotline.tickets.models import TicketEvent
from hotline.tickets.tests.helpers import at, new_ticket, township_matter


def race(fn):
    barrier = threading.Barrier(2)
    results: list = []

    def worker():
        try:
            barrier.wait()
            results.append(fn())
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_workers_escalating_and_delivering_at_once_do_it_once(people, settings, tmp_path):
    outbox = tmp_path / "outbox.jsonl"
    settings.OUTBOX = {**settings.OUTBOX, "FILE": outbox}
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9))
    results = race(lambda: orders.escalate(now=at(2026, 11, 10, 9, 30)))
    assert sorted(r["reminder"] for r in results) == [0, 1]
    assert SupervisionOrder.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, action="supervise").count() == 1
    assert Delivery.objects.count() == 1
    sent = race(lambda: delivery.deliver_due(now=at(2026, 11, 10, 9, 31))["sent"])
    assert sorted(sent) == [0, 1]
    assert len(outbox.read_text(encoding="utf-8").splitlines()) == 1
