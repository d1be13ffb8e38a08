"""接 intake: validation, readable codes, idempotent delivery, hostile and huge input."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from hotline.intake.services import normalize_phone, register_ticket
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.tests.helpers import at, new_ticket


def assert_nothing_written():
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0


@pytest.mark.parametrize(
    "field,kwargs",
    [
        ("channel", {"channel": "carrier-pigeon"}),
        ("content", {"content": ""}),
        ("content", {"content": "   \n\t "}),
        ("content", {"content": "堵" * 5001}),
        ("requester_phone", {"requester_phone": "12345"}),
        ("requester_phone", {"requester_phone": "call me maybe"}),
        ("requester_phone", {"requester_phone": ""}),
        ("address", {"address": "北京市朝阳区建国路88号"}),
        ("address", {"address": "路" * 300}),
        ("matter", {"matter": "999999"}),
        ("kind", {"kind": "threat"}),
        ("urgency", {"urgency": "yesterday"}),
        # Tomorrow when the test runs, not when the module was imported.
        ("received_at", {"when": lambda: timezone.now() + dt.timedelta(days=1)}),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_written(people, field, kwargs):
    kwargs = {key: value() if callable(value) else value for key, value in kwargs.items()}
    with pytest.raises(ValidationError) as err:
        new_ticket(people.operator, **kwargs)
    assert field in err.value.message_dict
    assert all(err.value.message_dict[field])
    assert_nothing_written()


def test_anonymous_requests_need_no_phone_and_keep_no_name(people):
    ticket = new_ticket(people.operator, requester_phone="", requester_name="张三", anonymous=True)
    assert ticket.requester_name == "" and ticket.anonymous


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("139 1234 5678", "13912345678"),
        ("+8613912345678", "13912345678"),
        ("0971-8123456", "0971-8123456"),
        ("8123456", "0971-8123456"),
        ("(0971)81234567", "097181234567"),
    ],
)
def test_phone_numbers_are_normalised(raw, clean):
    assert normalize_phone(raw) == clean


def test_codes_run_per_day(people):
    a = new_ticket(people.operator, when=at(2026, 11, 16, 8))
    b = new_ticket(people.operator, when=at(2026, 11, 16, 23, 59))
    c = new_ticket(people.operator, when=at(2026, 11, 17, 0, 1))
    assert [a.code, b.code, c.code] == ["XN20261116000001", "XN20261116000002", "XN20261117000001"]


def test_the_same_external_id_gives_the_same_ticket(people):
    first, created = register_ticket(
        channel="app_shiliuzi", external_id="APP-778", content="路灯不亮", requester_phone="13800001111"
    )
    again, created_again = register_ticket(
        channel="app_shiliuzi", external_id="APP-778", content="路灯不亮", requester_phone="13800001111"
    )
    other, created_other = register_ticket(
        channel="gov_board", external_id="APP-778", content="路灯不亮", requester_phone="13800001111"
    )
    assert created and not created_again and created_other
    assert first.pk == again.pk != other.pk
    assert Ticket.objects.count() == 2 and TicketEvent.objects.count() == 2


def test_hostile_text_is_kept_verbatim_as_text(people):
    nasty = "<script>alert('x')</script>'; DROP TABLE tickets_ticket; --\x00\x07 🚒🔥"
    ticket = new_ticket(people.operator, content=nasty, title="<b>标题</b>")
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.content == "<script>alert('x')</script>'; DROP TABLE tickets_ticket; -- 🚒🔥"
    assert fresh.title == "<b>标题</b>"


@pytest.mark.django_db(transaction=True)
def test_a_retried_delivery_racing_itself_makes_one_ticket(people):
    barrier = threading.Barrier(4)
    codes: list[str] = []

    def deliver():
        try:
            barrier.wait()
            ticket, _created = register_ticket(
                channel="gov_board", external_id="MSG-2026-1", content="噪音扰民", anonymous=True
            )
            codes.append(ticket.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == 4 and len(set(codes)) == 1
    assert Ticket.objects.filter(external_id="MSG-2026-1").count() == 1


def test_errors_speak_chinese_to_chinese_users(people):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        new_ticket(people.operator, content=" ", requester_phone="12")
    assert err.value.message_dict["content"] == ["诉求内容为空。"]
    assert err.value.message_dict["requester_phone"] == ["“12”不是有效的电话号码。"]


@pytest.mark.parametrize(
    "address,content,place",
    [
        # The region names say it: the township.
        ("城东区东关大街街道东关大街12号", "", "东关大街街道"),
        # A district and an estate of the gazetteer: the estate's township, not only the district.
        ("城西区海湖新区海湖花园小区12号楼3单元502室", "", "文汇路街道"),
        # A village alone, as a caller gives it: the gazetteer knows its township.
        ("斜沟村127号", "", "斜沟乡"),
        # No address: the place named in the request itself.
        ("", "胜利路小区门口的路灯坏了好几天了。", "胜利路街道"),
        # Only the district is sure.
        ("城北区某某小区", "", "城北区"),
        # Nothing known.
        ("", "我想咨询一下公积金怎么提取。", None),
    ],
)
def test_the_place_found_at_intake_is_stored_on_the_ticket(people, address, content, place):
    """M2: the ticket keeps the best place found (township when sure, else district), the same
    the console's suggestion shows, whichever door registered it."""
    ticket = new_ticket(people.operator, address=address, **({"content": content} if content else {}))
    ticket.refresh_from_db()
    assert (ticket.region.name if ticket.region else None) == place
