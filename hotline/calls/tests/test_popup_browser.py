"""The phone rings: a call event posted by a separate HTTP client pops the caller up in the
operator's console in chromium, without a reload."""

import pytest
import requests
from django.utils import timezone

from hotline.api.services import create_client
from hotline.tickets.tests.helpers import new_ticket

pytestmark = pytest.mark.browser


def test_a_ringing_call_pops_up_the_callers_history(chromium, live_server, people, screenshot):
    earlier = new_ticket(people.operator, when=timezone.now(), requester_phone="13700001234")
    _cti, token = create_client(name="呼叫中心", channel="phone_12345", scopes=["calls"])
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "operator")
        page.fill("input[name=password]", "pw-for-tests-only")
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}/console/")
        assert page.locator("#incoming .incoming").count() == 0
        page.evaluate("window.__marker = 'same page'")

        posted = requests.post(
            f"{live_server.url}/api/v1/calls/events",
            json={"call_id": "CALL-77", "event": "ringing", "caller": "13700001234", "operator": "operator"},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "ring-77"},
            timeout=10,
        )
        assert posted.status_code == 200, posted.text
        popup = page.locator("#incoming .incoming")
        popup.wait_for(state="visible")
        assert "13700001234" in popup.inner_text() and earlier.code in popup.inner_text()
        assert page.evaluate("window.__marker") == "same page"  # no reload happened
        screenshot(page, "cti-popup")
    finally:
        context.close()
