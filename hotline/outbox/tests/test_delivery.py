"""Deliveries: one row per message key, retries with back-off, transports as plugins, and a
failing transport never touching a ticket."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from hotline.outbox import delivery
from hotline.outbox.models import Delivery
from hotline.outbox.transports import TransportError, transport_for
from hotline.tickets.models import Status
from hotline.tickets.tests.helpers import at, new_ticket


class Gateway(BaseHTTPRequestHandler):
    """A local SMS gateway: records requests, answers with the status the test sets."""

    status = 200
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(
            {"json": json.loads(body), "key": self.headers["Idempotency-Key"], "auth": self.headers["Authorization"]}
        )
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    Gateway.received = []
    Gateway.status = 200
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.OUTBOX = {
        **settings.OUTBOX,
        "TRANSPORTS": {"sms": "sms_http", "email": "email", "inbox": "file"},
        "SMS_URL": f"http://127.0.0.1:{server.server_port}/send",
        "SMS_TOKEN": "t0ken",
        "SMS_TIMEOUT": 2,
    }
    yield Gateway
    server.shutdown()
    server.server_close()


NOW = at(2026, 11, 10, 9)


def test_enqueue_twice_is_one_row(db):
    first, created = delivery.enqueue(key="k1", address="13900000000", body="你好", at=NOW)
    again, created_again = delivery.enqueue(key="k1", address="13911111111", body="不同", at=NOW)
    assert created and not created_again and again.pk == first.pk and again.address == "13900000000"
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize(
    "bad", [{"key": ""}, {"address": ""}, {"body": ""}, {"key": "k" * 121}, {"address": "1" * 121}]
)
def test_enqueue_refuses_empty_fields(db, bad):
    with pytest.raises(ValueError):
        delivery.enqueue(**{"key": "k", "address": "a", "body": "b", **bad})
    assert not Delivery.objects.exists()


def test_the_sms_gateway_gets_the_text_and_the_idempotency_key(db, gateway):
    delivery.enqueue(key="order:1:unit:2", address="13900000000", body="【12345 催办】请尽快办理", at=NOW)
    assert delivery.deliver_due(now=NOW) == {"sent": 1, "failed": 0}
    assert gateway.received == [
        {
            "json": {"to": "13900000000", "text": "【12345 催办】请尽快办理"},
            "key": "order:1:unit:2",
            "auth": "Bearer t0ken",
        }
    ]
    row = Delivery.objects.get()
    assert row.state == Delivery.State.SENT and row.attempts == 1 and row.transport == "sms_http"
    assert delivery.deliver_due(now=NOW + dt.timedelta(hours=1)) == {"sent": 0, "failed": 0}
    assert len(gateway.received) == 1


def test_a_failing_gateway_retries_with_back_off_then_gives_up_and_the_ticket_stays(people, gateway, settings):
    settings.OUTBOX = {**settings.OUTBOX, "DELIVERY_MAX_ATTEMPTS": 3, "DELIVERY_RETRY_SECONDS": 60}
    ticket = new_ticket(people.operator)
    gateway.status = 503
    delivery.enqueue(key="citizen:1", address="13900000000", body="您的诉求已受理", ticket=ticket, at=NOW)
    assert delivery.deliver_due(now=NOW) == {"sent": 0, "failed": 1}
    row = Delivery.objects.get()
    assert row.state == Delivery.State.PENDING and "503" in row.last_error
    assert row.next_attempt_at == NOW + dt.timedelta(seconds=60)
    assert delivery.deliver_due(now=NOW + dt.timedelta(seconds=59)) == {"sent": 0, "failed": 0}  # not yet
    delivery.deliver_due(now=NOW + dt.timedelta(seconds=60))
    assert Delivery.objects.get().next_attempt_at == NOW + dt.timedelta(seconds=180)  # doubled
    delivery.deliver_due(now=NOW + dt.timedelta(seconds=180))
    row = Delivery.objects.get()
    assert row.state == Delivery.State.FAILED and row.attempts == 3
    ticket.refresh_from_db()
    assert ticket.status == Status.REGISTERED and ticket.version == 1


def test_an_unreachable_gateway_is_a_failed_attempt_not_a_crash(db, gateway, settings):
    settings.OUTBOX = {**settings.OUTBOX, "SMS_URL": "http://127.0.0.1:9/closed"}
    delivery.enqueue(key="k", address="13900000000", body="x", at=NOW)
    assert delivery.deliver_due(now=NOW) == {"sent": 0, "failed": 1}
    assert "unreachable" in Delivery.objects.get().last_error


def test_email_goes_through_django_mail(db, gateway, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    delivery.enqueue(
        key="mail:1", channel=Delivery.Channel.EMAIL, address="unit@example.org", subject="督办", body="请办理", at=NOW
    )
    assert delivery.deliver_due(now=NOW)["sent"] == 1
    assert mail.outbox[0].to == ["unit@example.org"] and mail.outbox[0].subject == "督办"


def test_an_unknown_transport_is_a_clear_error(settings):
    settings.OUTBOX = {**settings.OUTBOX, "TRANSPORTS": {"sms": "pigeon"}}
    with pytest.raises(TransportError, match="pigeon"):
        transport_for("sms")


def test_a_claimed_message_is_sent_by_one_worker_only(db, gateway):
    delivery.enqueue(key="once", address="13900000000", body="x", at=NOW)
    a = Delivery.objects.get()
    b = Delivery.objects.get()
    assert delivery.send_one(a, now=NOW) is True
    assert delivery.send_one(b, now=NOW) is False  # the second worker read the same row: it skips
    assert len(gateway.received) == 1


def test_a_worker_killed_after_writing_a_message_does_not_send_it_twice(db, settings, tmp_path):
    """L7 of 2026-11-30: a worker died between the transport and marking the row sent; after the
    lease another worker sent the same supervision SMS again."""
    outbox = tmp_path / "outbox.jsonl"
    settings.OUTBOX = {**settings.OUTBOX, "FILE": outbox, "TRANSPORTS": {"sms": "file"}}
    now = at(2026, 12, 7, 10)
    row, _new = delivery.enqueue(key="order:3751:unit:177", address="13900000000", body="督办通知", at=now)
    delivery.enqueue(key="order:3752:unit:177", address="13900000000", body="另一条", at=now)
    # Worker A claims the message and writes it, then is killed before it marks it sent.
    assert Delivery.objects.filter(pk=row.pk, attempts=0).update(attempts=1, next_attempt_at=now + delivery.LEASE)
    _name, transport = transport_for("sms")
    transport(row)
    # Within the lease nobody touches it; after it, worker B claims it again.
    assert delivery.deliver_due(now=now + dt.timedelta(minutes=1)) == {"sent": 1, "failed": 0}  # only the other one
    assert delivery.deliver_due(now=now + delivery.LEASE + dt.timedelta(minutes=1)) == {"sent": 1, "failed": 0}
    keys = [json.loads(line)["key"] for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert sorted(keys) == ["order:3751:unit:177", "order:3752:unit:177"]
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT and row.attempts == 2
