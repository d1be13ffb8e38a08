"""A department's own system works its unit's tickets through the API: the same services as the
inbox page, the same scope as a person at that unit, and nothing of another unit's."""

import json

import pytest

from hotline.api.tests.conftest import auth
from hotline.dispatch.services import dispatch_ticket
from hotline.tickets.models import Status, TicketEvent
from hotline.tickets.tests.helpers import new_ticket


def post(client, token, path, body=None, key="k"):
    return client.post(path, data=json.dumps(body or {}), content_type="application/json", **auth(token, key))


@pytest.fixture
def dispatched(clients, clock):
    from django.utils import timezone

    ticket = new_ticket(clients.people.operator, when=timezone.now(), confidential=False)
    dispatch_ticket(ticket, lead_unit=clients.people.housing, actor=clients.people.dispatcher)
    return ticket


@pytest.mark.clock
def test_inbox_sign_contact_reply_through_the_services(client, clients, dispatched):
    base = f"/api/v1/unit/tickets/{dispatched.code}"
    inbox = client.get("/api/v1/unit/inbox", **auth(clients.housing_token)).json()
    assert inbox["count"] == 1 and inbox["tickets"][0]["code"] == dispatched.code
    # Before signing, the unit sees the requester masked, like its staff on the page.
    assert inbox["tickets"][0]["requester_phone"] == "139****5678"

    signed = post(client, clients.housing_token, f"{base}/sign", key="sign-1")
    assert signed.status_code == 200 and signed.json()["status"] == Status.IN_PROGRESS
    assert signed.json()["requester_phone"] == "13912345678"
    # A retry of the same call returns the first answer and makes no second move.
    again = post(client, clients.housing_token, f"{base}/sign", key="sign-1")
    assert again.json() == signed.json()
    # A second sign with a new key is a refused move: 409 with the transition's code.
    refused = post(client, clients.housing_token, f"{base}/sign", key="sign-2")
    assert refused.status_code == 409 and refused.json()["code"] == "forbidden"

    empty = post(client, clients.housing_token, f"{base}/contact", {"note": "  "}, key="c-0")
    assert empty.status_code == 400 and empty.json()["fields"]["note"]
    contacted = post(
        client, clients.housing_token, f"{base}/contact", {"note": "电话联系王先生，约定周三现场查看"}, key="c-1"
    )
    assert contacted.status_code == 200
    asked = post(client, clients.housing_token, f"{base}/extension", {"days": 31, "reason": "x"}, key="e-0")
    assert asked.status_code == 400 and asked.json()["code"] == "invalid_input"
    replied = post(
        client, clients.housing_token, f"{base}/reply", {"result": "已现场整治，占道摊点已清理。"}, key="r-1"
    )
    assert replied.status_code == 200 and replied.json()["status"] == Status.REPLIED

    events = list(TicketEvent.objects.filter(ticket=dispatched).order_by("seq").values_list("action", "actor", "unit"))
    account, unit = clients.housing.account_id, clients.people.housing.pk
    assert events[-3:] == [("sign", account, unit), ("contact", account, unit), ("reply", account, unit)]
    done = client.get("/api/v1/unit/inbox?view=done", **auth(clients.housing_token)).json()
    assert [t["code"] for t in done["tickets"]] == [dispatched.code]


@pytest.mark.clock
def test_return_and_extension(client, clients, dispatched):
    base = f"/api/v1/unit/tickets/{dispatched.code}"
    returned = post(
        client, clients.housing_token, f"{base}/return", {"reason": "不属于住建职责，应由街道办理"}, key="ret"
    )
    assert returned.status_code == 200 and returned.json()["status"] == Status.RETURNED


@pytest.mark.clock
def test_another_unit_sees_nothing_and_changes_nothing(client, clients, dispatched):
    base = f"/api/v1/unit/tickets/{dispatched.code}"
    assert client.get("/api/v1/unit/inbox", **auth(clients.other_token)).json()["count"] == 0
    assert client.get(base, **auth(clients.other_token)).status_code == 404
    for action, body in (
        ("sign", {}),
        ("contact", {"note": "x"}),
        ("return", {"reason": "x"}),
        ("reply", {"result": "x"}),
    ):
        response = post(client, clients.other_token, f"{base}/{action}", body, key=action)
        assert response.status_code == 404, (action, response.content)
    dispatched.refresh_from_db()
    assert dispatched.status == Status.DISPATCHED


def test_bad_view_is_a_json_error(client, clients):
    response = client.get("/api/v1/unit/inbox?view=everything", **auth(clients.housing_token))
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"
