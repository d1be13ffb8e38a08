"""Webhooks: a partner's receiver gets a signed delivery for each change of its tickets, through
the outbox's rows; a receiver that was down gets it once it is back."""

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from hotline.api.services import create_client
from hotline.api.tests.conftest import auth
from hotline.api.webhooks import queue_webhooks
from hotline.outbox.delivery import deliver_due
from hotline.outbox.models import Delivery


class Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.clock
def test_a_receiver_that_was_down_gets_the_signed_delivery_when_it_is_back(client, people):
    port = free_port()
    partner, token = create_client(
        name="省平台", channel="gov_board", scopes=["submit", "read_own"], webhook_url=f"http://127.0.0.1:{port}/hook"
    )
    secret = partner.webhook_secret
    assert len(secret) == 64
    created = client.post(
        "/api/v1/tickets",
        data=json.dumps({"content": "东关大街路灯不亮，晚上很黑", "anonymous": True, "external_id": "GB-9"}),
        content_type="application/json",
        **auth(token, "w-1"),
    )
    assert created.status_code == 201
    assert queue_webhooks(now=timezone.now()) == {"queued": 0}  # not settled yet (a transaction may be open)
    now = timezone.now() + dt.timedelta(minutes=1)
    assert queue_webhooks(now=now) == {"queued": 1}
    assert queue_webhooks(now=now) == {"queued": 0}  # the cursor moved: nothing twice

    # Down: nothing listens on the port. The delivery stays a row to retry; the ticket is untouched.
    assert deliver_due(now=now) == {"sent": 0, "failed": 1}
    row = Delivery.objects.get(channel="webhook")
    assert row.state == Delivery.State.PENDING and "unreachable" in row.last_error

    Receiver.received = []
    server = HTTPServer(("127.0.0.1", port), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert deliver_due(now=now + dt.timedelta(seconds=30)) == {"sent": 0, "failed": 0}  # backing off
        assert deliver_due(now=now + dt.timedelta(minutes=2)) == {"sent": 1, "failed": 0}
    finally:
        server.shutdown()
        server.server_close()
    [(headers, body)] = Receiver.received
    expected = hmac.new(
        secret.encode(), headers["X-Hotline-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Hotline-Signature"] == f"sha256={expected}"
    assert headers["Idempotency-Key"] == row.key
    event = json.loads(body)
    assert event["ticket"] == created.json()["code"] and event["external_id"] == "GB-9"
    assert event["action"] == "register" and event["status"] == "registered"
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT and row.attempts == 2
