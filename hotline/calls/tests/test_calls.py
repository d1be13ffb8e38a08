"""Call events from the phone system over the API, the console's pop-up and its ticket link, the
call-back list of missed calls, and click-to-call as a signed request to the phone system."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from hotline.api.services import create_client
from hotline.api.tests.conftest import auth
from hotline.calls import selectors
from hotline.calls.models import Call
from hotline.outbox.models import Delivery
from hotline.outbox.transports import sign_webhook
from hotline.api.webhooks import secret_for
from hotline.tickets.tests.helpers import new_ticket


@pytest.fixture
def cti(people):
    client, token = create_client(
        name="呼叫中心", channel="phone_12345", scopes=["calls"], webhook_url="http://127.0.0.1:9/dial"
    )
    return client, token


def event(client, token, key, **body):
    return client.post(
        "/api/v1/calls/events", data=json.dumps(body), content_type="application/json", **auth(token, key)
    )


def test_a_call_rings_is_answered_and_ends_with_its_recording(client, cti, people):
    _cti, token = cti
    ticket = new_ticket(people.operator, when=timezone.now())
    rang = event(client, token, "e1", call_id="C-1", event="ringing", caller="13912345678", operator="operator")
    assert rang.status_code == 200 and rang.json()["state"] == "ringing"
    # The console's pop-up: the caller's earlier requests, for the operator the call rings at.
    client.force_login(people.operator)
    popup = client.get("/console/incoming/").content.decode()
    assert "13912345678" in popup and ticket.code in popup and 'name="call_id" value="C-1"' in popup
    event(client, token, "e2", call_id="C-1", event="answered", caller="13912345678", operator="operator")
    # The operator registers the request with the call on the line: the ticket keeps the call.
    response = client.post(
        "/console/",
        {
            "key": "k-console-1",
            "channel": "phone_12345",
            "kind": "help",
            "urgency": "normal",
            "requester_phone": "13912345678",
            "requester_name": "王先生",
            "content": "小区门口占道经营，早晚高峰堵得走不动",
            "address": "城东区东关大街街道东关大街12号",
            "call_id": "C-1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    ended = event(
        client, token, "e3", call_id="C-1", event="ended", caller="13912345678", recording="https://rec.example/C-1.wav"
    )
    call = Call.objects.get(call_id="C-1")
    assert ended.json()["ticket"] == call.ticket.code and call.state == "ended"
    page = client.get(f"/tickets/{call.ticket.code}/").content.decode()
    assert "C-1" in page and "https://rec.example/C-1.wav" in page
    # A late "answered" after the end changes nothing; the pop-up is gone.
    event(client, token, "e4", call_id="C-1", event="answered", caller="13912345678")
    assert Call.objects.get(call_id="C-1").state == "ended"
    assert "C-1" not in client.get("/console/incoming/").content.decode()


def test_a_missed_call_waits_for_a_call_back_and_click_to_call_dials_it(client, cti, people, settings):
    cti_client, token = cti
    settings.CTI = {**settings.CTI, "DIAL_URL": cti_client.webhook_url}
    event(client, token, "m1", call_id="C-2", event="ringing", caller="0971-8123456")
    missed = event(client, token, "m2", call_id="C-2", event="missed", caller="0971-8123456")
    assert missed.json()["state"] == "missed"
    call = Call.objects.get(call_id="C-2")
    assert call.callback_due == call.ended_at + dt.timedelta(hours=24)
    assert list(selectors.callbacks()) == [call]
    client.force_login(people.operator)
    assert "0971-8123456" in client.get("/callbacks/").content.decode()
    client.post("/calls/dial/", {"call": "C-2"})
    [dial] = Delivery.objects.filter(key__startswith="dial:")
    assert dial.address == cti_client.webhook_url and json.loads(dial.body)["number"] == "0971-8123456"
    assert secret_for(dial) == cti_client.webhook_secret  # signed like every webhook
    assert sign_webhook(secret_for(dial), "1", b"x").startswith("sha256=")
    assert not selectors.callbacks().exists()


def test_click_to_call_on_the_revisit_page_uses_the_tickets_number(client, cti, people, settings):
    cti_client, _token = cti
    settings.CTI = {**settings.CTI, "DIAL_URL": cti_client.webhook_url}
    ticket = new_ticket(people.operator, when=timezone.now())
    client.force_login(people.operator)
    client.post("/calls/dial/", {"ticket": ticket.code, "next": "/revisits/"})
    [dial] = Delivery.objects.filter(key__startswith="dial:")
    assert json.loads(dial.body) == {
        "type": "dial",
        "operator": "operator",
        "number": "13912345678",
        "ticket": ticket.code,
    }
    # Someone who may not see the ticket dials nothing.
    client.force_login(people.outsider)
    assert client.post("/calls/dial/", {"ticket": ticket.code}).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"call_id": "", "event": "ringing", "caller": "13912345678"},
        {"call_id": "C", "event": "exploded", "caller": "13912345678"},
        {"call_id": "C", "event": "ringing", "caller": "hello"},
        {"call_id": "C", "event": "ringing", "caller": "13912345678", "operator": "nobody"},
        {"call_id": "C", "event": "ended", "caller": "13912345678", "recording": "javascript:alert(1)"},
        {"call_id": "C" * 65, "event": "ringing", "caller": "13912345678"},
    ],
)
def test_bad_events_are_refused_and_change_nothing(client, cti, body):
    _cti, token = cti
    response = event(client, token, "bad", **body)
    assert response.status_code == 400 and response.json()["code"] in ("invalid", "invalid_input")
    assert not Call.objects.exists()
