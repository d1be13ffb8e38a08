"""m17: a request about a place in another city is forwarded to that city's 12345 centre, with a
record, the other centre's reference and an answer to the citizen, instead of being refused."""

import json

import pytest

from hotline.api.services import create_client
from hotline.api.tests.conftest import auth
from hotline.linkage.models import Agency, Transfer
from hotline.outbox.models import Delivery
from hotline.tickets.models import Status, Ticket

FORM = {
    "key": "0123456789abcdef0123456789abcdef",
    "channel": "phone_12345",
    "kind": "complaint",
    "urgency": "normal",
    "requester_phone": "13912345678",
    "requester_name": "王先生",
    "content": "在北京出差时在朝阳区一家商场买的衣服有质量问题，商家拒绝退换",
    "address": "北京市朝阳区建国路88号",
}


def test_the_console_forwards_an_out_of_city_request_instead_of_refusing_it(client, people):
    client.force_login(people.operator)
    refused = client.post("/console/", FORM)
    page = refused.content.decode()
    assert refused.status_code == 400 and "北京市" in page and 'name="forward"' in page
    assert not Ticket.objects.exists()

    forwarded = client.post("/console/", {**FORM, "forward": "on"})
    assert forwarded.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.status == Status.ANSWERED and ticket.region is None
    transfer = Transfer.objects.get(ticket=ticket)
    assert transfer.agency.code == "beijing" and "北京市" in transfer.reason
    sms = Delivery.objects.get(key=f"forwarded:{ticket.code}")
    assert sms.address == "13912345678" and "北京市12345热线" in sms.body
    # The same form again (a retry): the same ticket, nothing more.
    client.post("/console/", {**FORM, "forward": "on"})
    assert Ticket.objects.count() == 1 and Transfer.objects.count() == 1

    # Beijing's centre sends its reference back through the API; it lands on the ticket.
    _c, token = create_client(
        name="北京12345", channel="gov_board", scopes=["transfer"], agency=Agency.objects.get(code="beijing")
    )
    receipt = client.post(
        f"/api/v1/transfers/{transfer.pk}/receipt",
        data=json.dumps({"their_ref": "BJ2026120900042"}),
        content_type="application/json",
        **auth(token, "bj-1"),
    )
    assert receipt.status_code == 200
    assert ticket.events.filter(action="note", note__contains="BJ2026120900042").exists()
    assert "BJ2026120900042" in client.get(f"/tickets/{ticket.code}/").content.decode()


def test_a_city_without_its_own_row_goes_to_the_national_platform(client, people):
    client.force_login(people.operator)
    client.post("/console/", {**FORM, "address": "上海市浦东新区世纪大道100号", "forward": "on"})
    assert Transfer.objects.get().agency.code == "national"


@pytest.mark.parametrize("address", ["城东区东关大街街道东关大街12号", ""])
def test_forwarding_an_address_of_our_own_city_is_refused(client, people, address):
    client.force_login(people.operator)
    response = client.post("/console/", {**FORM, "address": address, "forward": "on"})
    assert response.status_code == 400
    assert not Ticket.objects.exists()
