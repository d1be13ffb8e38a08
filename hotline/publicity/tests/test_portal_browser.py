"""The portal's submit → track → rate path in Debian's chromium."""

from __future__ import annotations

import re

import pytest

from hotline.dispatch.services import dispatch_ticket
from hotline.handling.services import record_contact, reply, sign
from hotline.tickets.models import Status, Ticket
from hotline.tickets.tests.helpers import township_matter

pytestmark = pytest.mark.browser


def test_a_citizen_submits_tracks_and_rates_in_the_browser(people, chromium, live_server, screenshot):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/public/submit/")
    page.select_option("#id_kind", "complaint")
    page.fill("#id_content", "东关大街夜市烧烤油烟扰民，晚上十一点还在营业")
    page.fill("#id_address", "城东区东关大街街道东关大街")
    page.fill("#id_requester_phone", "13700007777")
    question = page.inner_text("label[for=id_answer]")
    a, b = (int(x) for x in re.search(r"(\d+) \+ (\d+)", question).groups())
    page.fill("#id_answer", str(a + b))
    page.wait_for_timeout(2_100)  # a person takes longer than a script to answer
    page.click("#submit-form button[type=submit]")
    code = page.inner_text("#ticket-code")
    screenshot(page, "public-submitted")
    ticket = Ticket.objects.get(code=code)
    assert ticket.channel.code == "web_portal" and ticket.status == Status.REGISTERED

    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    sign(ticket, unit=people.township)
    record_contact(ticket, unit=people.township, note="已电话联系诉求人")
    reply(ticket, unit=people.township, result="已约谈店主，限期安装油烟净化设施，夜间十点后停止外摆")

    fresh = chromium.new_context(locale="zh-CN")  # another day, another browser: prove it is yours
    page = fresh.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/public/track/")
    page.fill("#id_code", code)
    page.fill("#id_last4", "7777")
    page.click("#track-form button[type=submit]")
    assert "已答复" in page.inner_text("#public-status")
    assert "油烟净化设施" in page.inner_text("#public-result")
    page.select_option("#id_contacted", "1")
    page.select_option("#id_solved", "1")
    page.select_option("#id_satisfaction", "satisfied")
    page.click("#rate button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert "已办结" in page.inner_text("#public-status")
    screenshot(page, "public-rated")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    context.close()
    fresh.close()
