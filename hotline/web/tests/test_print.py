"""Print: the A4 ticket sheet and the supervision notices, masked for the viewer as the ticket page
is, and scoped the same way."""

from __future__ import annotations

import pytest
from django.test import Client

from hotline.dispatch.services import dispatch_ticket
from hotline.supervision.models import OrderLevel, SupervisionOrder
from hotline.tickets.models import PersonalDataAccess
from hotline.tickets.tests.helpers import new_ticket, township_matter

# Their tickets are received on fixed dates (tickets.tests.helpers.new_ticket): one pinned day.
pytestmark = [pytest.mark.django_db, pytest.mark.clock(day="2026-12-09")]


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ticket(people):
    t = new_ticket(people.operator, content="东关大街12号楼下井盖缺失，身份证号630102199001011234的老人差点摔倒")
    dispatch_ticket(t, lead_unit=people.township, matter=township_matter())
    return t


def test_the_ticket_sheet_is_an_a4_page_masked_for_the_unit_before_it_signs(people, ticket):
    page = as_(people.street).get(f"/tickets/{ticket.code}/print/")
    html = page.content.decode()
    assert page.status_code == 200 and "web/sheet.css" in html and _A4 in _sheet_css()
    assert ticket.code in html and "井盖缺失" in html and "工单" in html
    assert "13912345678" not in html and "139****5678" in html  # not signed yet: masked
    assert "630102199001011234" not in html
    assert not PersonalDataAccess.objects.filter(purpose="print").exists()
    dispatcher = as_(people.dispatcher).get(f"/tickets/{ticket.code}/print/").content.decode()
    assert "13912345678" in dispatcher  # the centre sees who asked, and that look is logged
    assert PersonalDataAccess.objects.filter(purpose="print", viewer=people.dispatcher).count() == 1
    # The ticket page links to it.
    assert (
        f'href="/tickets/{ticket.code}/print/"' in as_(people.street).get(f"/tickets/{ticket.code}/").content.decode()
    )


def test_nobody_prints_a_ticket_they_may_not_see(people, ticket):
    assert as_(people.outsider).get(f"/tickets/{ticket.code}/print/").status_code == 404
    assert Client().get(f"/tickets/{ticket.code}/print/").status_code == 302


def test_a_supervision_notice_prints_the_same_text_as_the_word_notice(people, ticket):
    order = SupervisionOrder.objects.create(
        ticket=ticket,
        unit=people.township,
        level=OrderLevel.NOTICE,
        due=ticket.resolve_due,
        reason="超期未办结",
        issued_at=ticket.resolve_due,
    )
    html = as_(people.street).get(f"/tickets/{ticket.code}/print/orders/{order.pk}/").content.decode()
    assert (
        "web/sheet.css" in html
        and _A4 in _sheet_css()
        and "督办" in html
        and "超期未办结" in html
        and str(people.township) in html
    )
    page = as_(people.street).get(f"/tickets/{ticket.code}/").content.decode()
    assert f"/tickets/{ticket.code}/print/orders/{order.pk}/" in page
    # An order belongs to its ticket: another ticket's code in the path finds nothing.
    other = new_ticket(people.operator, requester_phone="13900000002")
    dispatch_ticket(other, lead_unit=people.township, matter=township_matter())
    assert as_(people.street).get(f"/tickets/{other.code}/print/orders/{order.pk}/").status_code == 404
    assert as_(people.outsider).get(f"/tickets/{ticket.code}/print/orders/{order.pk}/").status_code == 404


_A4 = "size: A4"


def _sheet_css() -> str:
    """The sheets' style, a static file since the Content-Security-Policy refuses inline <style>."""
    from pathlib import Path

    import hotline.web

    return (Path(hotline.web.__file__).parent / "static" / "web" / "sheet.css").read_text(encoding="utf-8")
