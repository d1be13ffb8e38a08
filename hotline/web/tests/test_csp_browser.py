"""The Content-Security-Policy in a real browser (L3 of 2026-11-30): scripts and styles come only
from the site's own files, and no page a role works in trips the policy, so htmx and site.js still
run. Pages with htmx partials, SVG charts and the insight styles are visited."""

from __future__ import annotations

import pytest

from hotline.dispatch.services import dispatch_ticket
from hotline.tickets.tests.helpers import new_ticket, township_matter

pytestmark = pytest.mark.browser


def test_no_page_trips_the_policy_and_the_scripts_still_run(chromium, live_server, people, client):
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    client.force_login(people.supervisor)
    cookie = client.cookies["sessionid"].value
    context = chromium.new_context(locale="zh-CN")
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies([{"name": "sessionid", "value": cookie, "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        pages = ["/", "/pool/", f"/tickets/{ticket.code}/", "/dashboard/", "/insight/", "/search/?q=东关"]
        for path in [*pages, f"/tickets/{ticket.code}/print/"]:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            assert "script-src 'self'" in (response.header_value("content-security-policy") or ""), path
            page.wait_for_load_state("networkidle")
            if "/print/" not in path:  # the A4 sheet has no htmx, only its print button's script
                assert page.evaluate("typeof window.htmx") == "object", path
        page.goto(f"{live_server.url}/public/")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert violations == []
