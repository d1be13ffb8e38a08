"""Open311 GeoReport v2: the PyPI ``georeport`` client reads a live server; writes are the
form-encoded POSTs real Open311 clients send."""

import xml.etree.ElementTree as ET

import pytest
import requests
from georeport import GeoReport

from hotline.api.models import Submission
from hotline.api.services import create_client
from hotline.tickets.models import Ticket

JURISDICTION = "xining.12345"


@pytest.fixture
def open311(live_server, people):
    partner, token = create_client(name="Open311 网关", channel="web_portal", scopes=["submit", "read_own"])
    base = f"{live_server.url}/open311/v2"
    return base, token


def submit(base, token, fmt="json", **fields):
    data = {
        "api_key": token,
        "jurisdiction_id": JURISDICTION,
        "service_code": "010101",
        "description": "小区门口垃圾桶满了两天没人清运，臭味很大，电话13912345678",
        "address_string": "城东区东关大街街道东关大街12号",
        "lat": "36.62",
        "long": "101.78",
        "first_name": "先生",
        "last_name": "王",
        "phone": "13912345678",
        **fields,
    }
    return requests.post(f"{base}/requests.{fmt}", data=data, timeout=10)


def test_georeport_lists_services_and_reads_a_request_made_by_a_form_post(open311):
    base, token = open311
    client = GeoReport(base, jurisdiction=JURISDICTION)
    services = client.get_service_list()
    leaf = next(s for s in services if s["service_code"] == "010101")
    assert leaf["service_name"] == "生活垃圾清运不及时" and leaf["group"] == "城市管理"
    assert all(isinstance(s["service_code"], str) for s in services)
    assert client.get_service_definition("010101") == {"service_code": "010101", "attributes": []}

    made = submit(base, token)
    assert made.status_code == 201, made.text
    [row] = made.json()
    code = row["service_request_id"]
    ticket = Ticket.objects.get(code=code)
    assert ticket.matter.code == "010101" and ticket.channel_id == "web_portal"
    assert ticket.requester_phone == "13912345678"

    one = client.get_service_request(code)
    assert one["status"] == "open" and one["service_code"] == "010101"
    assert one["lat"] == 36.62 and one["long"] == 101.78
    # A public read: the title, never the requester or the citizen's own words.
    assert "13912345678" not in str(one) and "王" not in one["description"]
    listed = client.get_service_requests(service_code="010101", status="open")
    assert [r["service_request_id"] for r in listed] == [code]
    assert client.get_service_requests(status="closed") == []
    token_row = requests.get(f"{base}/tokens/{row['token']}.json", timeout=10).json()
    assert token_row == [{"service_request_id": code, "token": row["token"]}]

    xml_client = GeoReport(base, jurisdiction=JURISDICTION, output_format="xml")
    assert xml_client.get_service_request(code)["service_request_id"] == code
    assert any(s["service_code"] == "010101" for s in xml_client.get_service_list())


def test_errors_come_in_the_specs_format_and_change_nothing(open311):
    base, token = open311
    cases = [
        (submit(base, token, service_code="nope"), 400),
        (submit(base, token, api_key="hl_bad.bad"), 401),
        (submit(base, token, description=""), 400),
        (submit(base, token, lat="north", address_string=""), 400),
        (submit(base, token, address_string="", lat="", long=""), 400),
        (submit(base, token, jurisdiction_id="boston"), 404),
        (requests.get(f"{base}/requests/XN0.json", timeout=10), 404),
        (requests.get(f"{base}/requests.json?start_date=yesterday", timeout=10), 400),
        (requests.get(f"{base}/requests.json?status=lost", timeout=10), 400),
        (requests.get(f"{base}/services/999999.json", timeout=10), 404),
        (requests.get(f"{base}/tokens/T99999999999999.json", timeout=10), 404),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        [error] = response.json()
        assert error["code"] == status and error["description"]
    xml = submit(base, token, fmt="xml", service_code="nope")
    root = ET.fromstring(xml.content)
    assert root.tag == "errors" and root.find("error/code").text == "400"
    assert not Submission.objects.exists()


def test_a_form_post_in_xml_and_an_idempotent_retry(open311):
    base, token = open311
    first = submit(base, token, fmt="xml", service_request_id="O311-7")
    root = ET.fromstring(first.content)
    code = root.find("request/service_request_id").text
    again = requests.post(
        f"{base}/requests.json",
        data={
            "api_key": token,
            "service_code": "010101",
            "description": "同一件事",
            "address_string": "东关大街",
            "service_request_id": "O311-7",
        },
        timeout=10,
    )
    assert again.json()[0]["service_request_id"] == code
    assert Ticket.objects.filter(external_id="O311-7").count() == 1
