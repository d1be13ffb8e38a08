"""The dispatcher's queue in a real browser: 特急 first (walkthrough defect M1), each row with its
dispatch deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hotline.tickets.models import Urgency
from hotline.tickets.tests.helpers import new_ticket
from hotline.web.tests.test_browser import signed_in  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_the_queue_lists_emergencies_first(people, signed_in, live_server, screenshot):  # noqa: F811
    now = timezone.now()
    # Four ordinary requests came in first; the two emergencies last, as in the walkthrough.
    for n, text in enumerate(["垃圾未清运", "路灯不亮", "噪音扰民", "占道经营"]):
        new_ticket(people.operator, when=now - dt.timedelta(hours=3, minutes=n), content=f"{text}，请尽快处理。")
    # Emergencies are due 20 minutes after receipt, on the clock: both are late whatever the day.
    sinkhole = new_ticket(
        people.operator,
        when=now - dt.timedelta(minutes=30),
        urgency=Urgency.EMERGENCY,
        content="东关大街路面塌陷，有坑。",
    )
    levee = new_ticket(
        people.operator, when=now - dt.timedelta(minutes=40), urgency=Urgency.EMERGENCY, content="河堤渗水，很危险。"
    )
    page = signed_in("dispatcher")
    page.goto(f"{live_server.url}/queue/")
    rows = page.locator("table.tickets tbody tr")
    assert rows.count() == 6
    # The levee came in earlier, so its dispatch is due first; then the sinkhole.
    assert levee.code in rows.nth(0).inner_text() and sinkhole.code in rows.nth(1).inner_text()
    assert "特急" in rows.nth(0).inner_text() and "特急" in rows.nth(1).inner_text()
    assert "超期" in rows.nth(0).inner_text() and "超期" in rows.nth(1).inner_text()
    screenshot(page, "queue-emergencies-first")
