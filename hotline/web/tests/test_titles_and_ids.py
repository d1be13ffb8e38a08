"""m9: the title an operator writes, or one written from the request by every door; M13: an ID
number a caller gave is masked for those who may not see who the caller is."""

from __future__ import annotations

from django.test import Client

from hotline.dispatch.services import dispatch_ticket
from hotline.tickets.tests.helpers import new_ticket, township_matter

ID = "630102199001011235"


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_console_keeps_the_operators_title_or_writes_one(people):
    operator = as_(people.operator)
    base = {"channel": "phone_12345", "kind": "help", "urgency": "normal", "requester_phone": "13912345678"}
    operator.post(
        "/console/",
        {
            **base,
            "content": "来电人称：胜利路的路灯不亮好几天了。",
            "address": "城西区胜利路",
            "title": "胜利路路灯不亮",
            "key": "a" * 32,
        },
    )
    operator.post(
        "/console/",
        {
            **base,
            "content": "来电人称：胜利路的路灯不亮好几天了，晚上很黑。",
            "address": "城西区胜利路",
            "key": "b" * 32,
        },
    )
    from hotline.tickets.models import Ticket

    titles = list(Ticket.objects.order_by("pk").values_list("title", flat=True))
    assert titles == ["胜利路路灯不亮", "胜利路：胜利路的路灯不亮好几天了"]  # not "来电人称：胜利路的路灯不亮好几"


def test_an_id_number_is_masked_for_a_unit_that_has_not_signed_and_kept_for_the_centre(people):
    ticket = new_ticket(people.operator, content=f"来电人称身份证号{ID}，小区门口占道经营。", title=f"身份证{ID}")
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    ticket.refresh_from_db()
    assert ID not in ticket.title  # titles go to every list: never an ID number
    street = as_(people.street).get(f"/tickets/{ticket.code}/").content.decode()
    assert ID not in street and "******" in street
    assert ID in as_(people.dispatcher).get(f"/tickets/{ticket.code}/").content.decode()
