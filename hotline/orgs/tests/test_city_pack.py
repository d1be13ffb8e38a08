"""``hotline city init``: a second city from the division data, its units from a checked file."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from hotline.orgs.models import Region, Unit

HEADER = "code,name,short_name,kind,region_code,parent_code,functions,phone,mobile,email\n"


@pytest.mark.django_db
def test_shangluo_from_the_division_data_and_a_units_file(tmp_path):
    for code in ("999999", "611002", "610000"):  # unknown, a district, a province: not a city
        with pytest.raises(CommandError, match="not a city"):
            call_command("city", "init", "--division", code)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "SL-GOV,商洛市人民政府办公室,市政府办,city_dept,611000,,gov_services,0914-2312000,13900000000,\n"
        + "SL-X,某单位,,planet,611000,,,,12345,not-mail\n"
        + "SL-Y,某局,,city_dept,999999,,nosuchfunction,,,\n",
        "utf-8",
    )
    with pytest.raises(CommandError) as refused:
        call_command("city", "init", "--division", "611000", "--units", str(bad))
    message = str(refused.value)
    assert "line 3: unknown kind planet" in message and "line 4: unknown region 999999" in message
    assert "line 4: unknown functions nosuchfunction" in message
    assert "line 3: not a mobile number: 12345" in message and "line 3: not an e-mail address: not-mail" in message
    assert not Unit.objects.filter(code__startswith="SL-").exists()  # nothing of the file written
    good = tmp_path / "good.csv"
    good.write_text(
        HEADER
        + "SL-GOV,商洛市人民政府办公室,市政府办,city_dept,611000,,gov_services,0914-2312000,13900000000,\n"
        + "SL-SZ,商州区人民政府办公室,商州区政府办,district_dept,611002,SL-GOV,gov_services,0914-1,,\n"
        + "SL-EDU,商洛市教育局,市教育局,city_dept,611000,SL-GOV,gov_services,,,jyj@example.cn\n",
        "utf-8",
    )
    out = io.StringIO()
    call_command("city", "init", "--division", "611000", "--units", str(good), stdout=out)
    text = out.getvalue()
    assert text.startswith("商洛市 (611000):") and "7 districts or counties" in text
    assert "1 units without a duty mobile or e-mail" in text and "SL-SZ 商州区人民政府办公室" in text
    assert Unit.objects.get(code="SL-EDU").email == "jyj@example.cn"
    assert Region.objects.filter(parent_id="611002", level=Region.Level.TOWNSHIP).exists()
    assert Unit.objects.get(code="SL-SZ").parent.code == "SL-GOV"
    assert Unit.objects.filter(kind=Unit.Kind.TOWNSHIP, region__parent_id="611025").exists()  # 镇安县's towns


def test_an_order_reaches_a_unit_by_mobile_then_e_mail_then_phone_then_inbox():
    from hotline.outbox.models import Delivery
    from hotline.supervision.orders import _channel

    both = Unit(code="A", mobile="13900000000", email="a@example.cn", phone="0914-1")
    assert _channel(both) == Delivery.Channel.SMS
    assert _channel(Unit(code="B", email="b@example.cn", phone="0914-1")) == Delivery.Channel.EMAIL
    assert _channel(Unit(code="C", phone="0914-1")) == Delivery.Channel.SMS  # as before issue 16
    assert _channel(Unit(code="D")) == Delivery.Channel.INBOX


@pytest.mark.clock
def test_a_second_city_takes_dispatches_and_reports_a_request(ref, tmp_path):
    from django.utils import timezone

    from hotline.dispatch.services import dispatch_ticket
    from hotline.intake.services import register_ticket
    from hotline.reports.figures import period_figures

    units = tmp_path / "units.csv"
    units.write_text(
        HEADER + "SL-CG,商洛市城市管理局,市城管局,city_dept,611000,,gov_services,0914-2312001,13900000001,\n", "utf-8"
    )
    call_command("city", "init", "--division", "611000", "--units", str(units), stdout=io.StringIO())
    ticket, _new = register_ticket(
        channel="phone_12345",
        content="商州区城关街道北新街路灯不亮",
        address="商州区城关街道北新街",
        requester_phone="13900000002",
    )
    unit = Unit.objects.get(code="SL-CG")
    dispatch_ticket(ticket, lead_unit=unit)
    ticket.refresh_from_db()
    assert ticket.lead_unit == unit and ticket.status == "dispatched"
    assert ticket.region_id == "611002001"  # 商州区城关街道, found in the new city's regions
    figures = period_figures("daily", timezone.localdate())
    assert figures.total >= 1 and figures.dispatched >= 1
    assert any(unit.name in str(row) for row in figures.by_unit)
