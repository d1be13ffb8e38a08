"""110 ↔ 12345 both ways, with the 110 side a separate HTTP client against a live server: a police
matter goes out and comes back with 110's receipt and feedback; a non-police case comes in with
its case number, is dispatched and answered; late transfers show in the pool and the reports."""

import datetime as dt
import json
import uuid

import pytest
import requests
from django.utils import timezone

from hotline.api.services import create_client
from hotline.dispatch.services import dispatch_ticket
from hotline.handling import services as handling
from hotline.linkage import selectors
from hotline.linkage.models import Agency, Direction, LinkageMatter, Transfer
from hotline.linkage.services import transfer_out
from hotline.reports.figures import period_figures
from hotline.supervision.selectors import late_transfers
from hotline.tickets.models import Status, Ticket
from hotline.tickets.tests.helpers import new_ticket


class Police:
    """The 110 side: its own HTTP client with its own token."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.session = base, requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path, **params):
        return self.session.get(f"{self.base}/api/v1/transfers{path}", params=params, timeout=10)

    def post(self, path, body, key=None):
        headers = {"Idempotency-Key": key or uuid.uuid4().hex}
        return self.session.post(f"{self.base}/api/v1/transfers{path}", json=body, headers=headers, timeout=10)


@pytest.fixture
def police(live_server, people):
    agency = Agency.objects.get(code="110")
    _client, token = create_client(name="110 接处警系统", channel="police_110", scopes=["transfer"], agency=agency)
    return Police(live_server.url, token)


def test_a_police_matter_goes_out_and_comes_back_with_receipt_and_feedback(client, police, people):
    ticket = new_ticket(people.operator, when=timezone.now(), content="楼下有人打架，已经有人受伤了，请马上处理")
    fight = LinkageMatter.objects.get(agency="110", direction=Direction.OUT, name="打架斗殴")
    client.force_login(people.operator)
    page = client.post(
        f"/tickets/{ticket.code}/transfer/",
        {"transfer-agency": "110", "transfer-matter": fight.pk, "transfer-reason": "正在发生的治安警情"},
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.status == Status.ANSWERED and "110" in ticket.result

    pending = police.get("", direction="out", pending="true").json()
    [shown] = pending["transfers"]
    assert shown["ticket"] == ticket.code and shown["requester_phone"] == "13912345678"
    assert shown["matter"] == "治安类／打架斗殴"
    receipt = police.post(f"/{shown['id']}/receipt", {"their_ref": "JJ20261209000123"})
    assert receipt.status_code == 200 and receipt.json()["their_ref"] == "JJ20261209000123"
    assert police.get("", direction="out", pending="true").json()["count"] == 0
    feedback = police.post(f"/{shown['id']}/feedback", {"feedback": "民警已到场处置，双方已调解"})
    assert feedback.status_code == 200

    notes = list(ticket.events.filter(action="note").values_list("note", flat=True))
    # Written in the API's language, Chinese, like every note the API makes.
    assert notes == ["110报警服务台已签收：JJ20261209000123", "110报警服务台反馈：民警已到场处置，双方已调解"]
    transfer = Transfer.objects.get(ticket=ticket)
    assert transfer.received_at is not None and transfer.feedback_at is not None
    # A second, different receipt is refused; a transfer of another agency is not 110's to see.
    again = police.post(f"/{shown['id']}/receipt", {"their_ref": "OTHER"})
    assert again.status_code == 409 and again.json()["code"] == "received"


def test_an_inbound_case_is_registered_once_dispatched_and_answered(police, people):
    lamp = LinkageMatter.objects.get(agency="110", direction=Direction.IN, name="路灯不亮")
    case = {
        "case_number": "JJ20261209000777",
        "content": "报警人称东关大街路灯不亮多日，非警务事项，转12345处理",
        "address": "城东区东关大街街道东关大街12号",
        "requester_name": "李女士",
        "requester_phone": "13800001111",
        "matter_id": lamp.pk,
    }
    first = police.post("", case)
    assert first.status_code == 201, first.text
    again = police.post("", case)  # a retry with another key: the same case, the same ticket
    assert again.status_code == 200 and again.json()["ticket"] == first.json()["ticket"]
    ticket = Ticket.objects.get(code=first.json()["ticket"])
    assert ticket.channel_id == "police_110" and ticket.external_id == "JJ20261209000777"
    assert Transfer.objects.filter(direction=Direction.IN).count() == 1

    dispatch_ticket(ticket, lead_unit=people.township, actor=people.dispatcher)
    handling.sign(ticket, unit=people.township, actor=people.street)
    handling.reply(ticket, unit=people.township, result="已更换灯泡，路灯恢复照明", actor=people.street)
    shown = police.get(f"/{first.json()['id']}").json()
    assert shown["ticket_status"] == Status.REPLIED and shown["ticket_result"] == "已更换灯泡，路灯恢复照明"

    bad = police.post("", {**case, "case_number": ""})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    wrong_list = police.post("", {**case, "case_number": "JJ2", "matter_id": 999999})
    assert wrong_list.status_code == 400


def test_110_hears_of_a_transfer_on_its_webhook_once(people):
    from hotline.api.webhooks import queue_webhooks, secret_for
    from hotline.outbox.models import Delivery

    police_client, _token = create_client(
        name="110 推送",
        channel="police_110",
        scopes=["transfer"],
        agency=Agency.objects.get(code="110"),
        webhook_url="https://110.example/hook",
    )
    now = timezone.now()
    ticket = new_ticket(people.operator, when=now, content="有人在小区里打架")
    transfer = transfer_out(ticket, agency=Agency.objects.get(code="110"), reason="治安警情", at=now)
    assert queue_webhooks(now=now) == {"queued": 1}
    assert queue_webhooks(now=now) == {"queued": 0}
    [delivery] = Delivery.objects.filter(channel="webhook")
    body = json.loads(delivery.body)
    assert body == {
        "type": "transfer.created",
        "transfer": transfer.pk,
        "ticket": ticket.code,
        "due_at": body["due_at"],
    }
    assert "13912345678" not in delivery.body and secret_for(delivery) == police_client.webhook_secret


def test_late_transfers_show_in_the_pool_and_the_reports(client, people):
    now = timezone.now()
    ticket = new_ticket(people.operator, when=now - dt.timedelta(hours=2), content="有人持刀威胁，请警察处理")
    transfer = transfer_out(
        ticket, agency=Agency.objects.get(code="110"), reason="人身安全受到威胁", at=now - dt.timedelta(hours=1)
    )
    assert transfer.due_at == now - dt.timedelta(minutes=30)
    assert list(selectors.late_transfers(now)) == [transfer]
    assert list(late_transfers(people.supervisor, now=now)) == [transfer]
    assert not late_transfers(people.street, now=now).exists()
    client.force_login(people.supervisor)
    pool = client.get("/pool/").content.decode()
    assert 'id="late-transfers"' in pool and ticket.code in pool
    figures = period_figures("daily", timezone.localtime(now).date(), now=now)
    assert figures.transfers == {"out": 1, "in": 0, "late": 1}


def test_a_transfer_needs_a_reason_and_a_matter_of_its_list(people):
    ticket = new_ticket(people.operator, when=timezone.now())
    lamp = LinkageMatter.objects.get(agency="110", direction=Direction.IN, name="路灯不亮")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        transfer_out(ticket, agency=Agency.objects.get(code="110"), reason="  ")
    with pytest.raises(ValidationError):
        transfer_out(ticket, agency=Agency.objects.get(code="110"), reason="x", matter=lamp)
    ticket.refresh_from_db()
    assert ticket.status == Status.REGISTERED and not Transfer.objects.exists()
