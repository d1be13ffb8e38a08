"""Partner intake over the JSON API: idempotent submits, own tickets only, JSON errors in Chinese,
tokens, scopes, the IP allow-list, the rate limit and one audit row per call."""

import json

import pytest
from django.contrib.staticfiles import finders

from hotline.api.models import ApiCall, IdempotencyRecord, PartnerClient, hash_token
from hotline.api.tests.conftest import auth
from hotline.tickets.models import Ticket

REQUEST = {
    "external_id": "APP-0001",
    "content": "小区门口占道经营，早晚高峰堵得走不动，希望管一管。",
    "requester_name": "王先生",
    "requester_phone": "13912345678",
    "address": "城东区东关大街街道东关大街12号",
    "lat": 36.62,
    "lon": 101.78,
}


def post(client, token, body, key="k-1", path="/api/v1/tickets"):
    data = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    return client.post(path, data=data, content_type="application/json", **auth(token, key))


@pytest.mark.clock
def test_same_key_same_body_gives_the_first_answer_and_one_ticket(client, clients):
    first = post(client, clients.app_token, REQUEST)
    assert first.status_code == 201, first.content
    code = first.json()["code"]
    again = post(client, clients.app_token, REQUEST)
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.filter(channel="app_shiliuzi", external_id="APP-0001").count() == 1
    # Another key but the same external id: still the one ticket, now "not created".
    third = post(client, clients.app_token, REQUEST, key="k-2")
    assert third.status_code == 200 and third.json()["code"] == code and third.json()["created"] is False


@pytest.mark.clock
def test_same_key_other_body_is_409_and_changes_nothing(client, clients):
    post(client, clients.app_token, REQUEST)
    other = post(client, clients.app_token, {**REQUEST, "content": "另一件事：路灯不亮了。"})
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_conflict"
    assert "Idempotency-Key" in other.json()["message"]
    assert Ticket.objects.filter(channel="app_shiliuzi").count() == 1


@pytest.mark.clock
def test_every_post_needs_a_key(client, clients):
    response = post(client, clients.app_token, REQUEST, key=None)
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_required"
    long_key = post(client, clients.app_token, REQUEST, key="x" * 201)
    assert long_key.status_code == 400 and long_key.json()["code"] == "idempotency_key_invalid"
    assert not Ticket.objects.filter(channel="app_shiliuzi").exists()


@pytest.mark.clock
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**REQUEST, "content": ""}, "invalid"),
        ({**REQUEST, "content": "   \x00  "}, "invalid"),
        ({**REQUEST, "requester_phone": "not a phone"}, "invalid"),
        ({**REQUEST, "kind": "nonsense"}, "invalid"),
        ({**REQUEST, "address": "北京市朝阳区建国路88号"}, "invalid"),
        ({**REQUEST, "content": "长" * 20001}, "invalid_input"),
        ({**REQUEST, "lat": 200}, "invalid_input"),
        ({**REQUEST, "anonymous": "perhaps"}, "invalid_input"),
        ({"requester_phone": "13912345678"}, "invalid_input"),
        ("{not json", "bad_request"),
        ("[]", "invalid_input"),
        ("", "invalid_input"),
    ],
)
def test_bad_input_is_a_json_error_in_chinese_and_writes_nothing(client, clients, body, code):
    response = post(client, clients.app_token, body)
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error
    assert not Ticket.objects.filter(channel="app_shiliuzi").exists()
    assert not IdempotencyRecord.objects.exists()  # an error is not kept: fix it and retry with the key


def test_tokens_are_stored_hashed_and_checked(client, clients):
    stored = PartnerClient.objects.get(pk=clients.app.pk)
    assert clients.app_token not in (stored.token_hash, stored.token_prefix)
    assert stored.token_hash == hash_token(clients.app_token)
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer hl_nope.nope"}, {"HTTP_AUTHORIZATION": "Basic abc"}):
        response = client.get("/api/v1/tickets/XN1", **header)
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    # A wrong secret with a real prefix.
    bad = clients.app_token[:-4] + "AAAA"
    assert client.get("/api/v1/tickets/XN1", **auth(bad)).status_code == 401
    PartnerClient.objects.filter(pk=clients.app.pk).update(is_active=False)
    assert client.get("/api/v1/tickets/XN1", **auth(clients.app_token)).status_code == 401


@pytest.mark.clock  # the rate is counted per clock minute: the pinned clock starts at a minute's start
def test_scopes_ip_allow_list_and_rate_limit(client, clients):
    unit_reads = client.get("/api/v1/tickets/XN1", **auth(clients.housing_token))
    assert unit_reads.status_code == 403 and unit_reads.json()["code"] == "scope"
    partner_works = client.get("/api/v1/unit/inbox", **auth(clients.app_token))
    assert partner_works.status_code == 403 and partner_works.json()["code"] == "scope"

    PartnerClient.objects.filter(pk=clients.app.pk).update(ip_allow="10.0.0.0/8")
    assert client.get("/api/v1/tickets/XN1", **auth(clients.app_token)).json()["code"] == "ip_not_allowed"
    PartnerClient.objects.filter(pk=clients.app.pk).update(ip_allow="127.0.0.1\n10.0.0.0/8")
    assert client.get("/api/v1/tickets/XN1", **auth(clients.app_token)).status_code == 404

    PartnerClient.objects.filter(pk=clients.app.pk).update(ip_allow="", rate_limit=5)
    codes = [client.get("/api/v1/tickets/XN1", **auth(clients.app_token)).status_code for _ in range(3)]
    # Three calls above (refused ones too) count in this minute: the third of these is the sixth.
    assert codes == [404, 404, 429]
    assert client.get("/api/v1/tickets/XN1", **auth(clients.app_token)).json()["code"] == "rate_limited"


@pytest.mark.clock
def test_a_client_reads_its_own_tickets_only_with_a_masked_timeline(client, clients):
    created = post(
        client, clients.app_token, {**REQUEST, "content": "我的身份证号630102199001011234，电话13912345678，路灯坏了"}
    )
    code = created.json()["code"]
    status = client.get(f"/api/v1/tickets/{code}", **auth(clients.app_token)).json()
    assert status["status"] == "registered" and status["status_label"] == "已登记"
    timeline = client.get(f"/api/v1/tickets/{code}/timeline", **auth(clients.app_token)).json()
    assert [e["action"] for e in timeline["events"]] == ["register"]
    assert "630102199001011234" not in json.dumps(timeline) + json.dumps(status)
    assert "13912345678" not in json.dumps(status)
    # The other partner of the app kind, and a unit's system, see nothing of it.
    assert client.get(f"/api/v1/tickets/{code}", **auth(clients.wechat_token)).status_code == 404
    assert client.get(f"/api/v1/tickets/{code}/timeline", **auth(clients.wechat_token)).status_code == 404


@pytest.mark.clock
def test_every_call_leaves_one_audit_row(client, clients):
    created = post(client, clients.app_token, REQUEST)
    client.get(f"/api/v1/tickets/{created.json()['code']}", **auth(clients.app_token))
    client.get("/api/v1/tickets/nope")
    rows = list(ApiCall.objects.order_by("pk").values_list("client__name", "method", "status", "ticket_code", "code"))
    code = created.json()["code"]
    assert rows == [
        ("石榴籽家园", "POST", 201, code, ""),
        ("石榴籽家园", "GET", 200, code, ""),
        (None, "GET", 401, "", "unauthenticated"),
    ]


def test_schema_and_docs_are_served_locally(client, settings):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert "/api/v1/tickets" in schema.json()["paths"]
    docs = client.get("/api/v1/docs")
    html = docs.content.decode()
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html and "http://" not in html
    assert f'src="{settings.STATIC_URL}ninja/swagger-ui-bundle.js"' in html
    assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui.css")
