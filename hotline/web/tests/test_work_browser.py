"""What staff missed most, in a real browser: work that arrives without a reload, and the printed
ticket sheet (A4, Chinese text in the PDF chromium prints)."""

from __future__ import annotations

import pytest

from hotline.tickets.models import Status, Ticket
from hotline.tickets.tests.helpers import new_ticket, township_matter
from hotline.web import live

pytestmark = pytest.mark.browser
PASSWORD = "pw-for-tests-only"


def pdf_text(pdf) -> str:
    """The text of a PDF without spaces; NFKC, because the CJK font maps some characters to their
    Kangxi radical look-alikes (⼯ for 工) in the text layer."""
    import unicodedata

    return (
        unicodedata.normalize("NFKC", "".join(page.extract_text() for page in pdf.pages))
        .replace(" ", "")
        .replace("\n", "")
    )


@pytest.fixture
def signed_in(chromium, live_server):
    contexts = []

    def sign_in(username: str):
        context = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def test_a_dispatch_in_another_session_reaches_the_units_top_bar_without_a_reload(
    people, signed_in, live_server, monkeypatch
):
    monkeypatch.setattr(live, "POLL_SECONDS", 1)
    ticket = new_ticket(people.operator, content="东关大街路灯不亮，晚上出行不便")
    street = signed_in("street")
    assert street.url.endswith("/inbox/")
    street.wait_for_selector('#live [data-live="to_sign"][data-n="0"]')
    loaded = street.evaluate("performance.getEntriesByType('navigation')[0].startTime + location.href")

    dispatcher = signed_in("dispatcher")
    dispatcher.wait_for_selector('#live [data-live="queue"][data-n="1"]')
    dispatcher.goto(f"{live_server.url}/tickets/{ticket.code}/")
    dispatcher.fill("#id_dispatch-matter", township_matter().code)  # pickers take a typed code
    dispatcher.fill("#id_dispatch-lead_unit", people.township.code)
    dispatcher.click("#action-dispatch button[type=submit]")
    dispatcher.wait_for_selector(".msg-success")
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED

    # The street office's page was never reloaded, yet its count and its title say 1 to sign.
    street.wait_for_selector('#live [data-live="to_sign"][data-n="1"].live-new')
    assert street.evaluate("performance.getEntriesByType('navigation')[0].startTime + location.href") == loaded
    assert street.title().startswith("(1) ")
    dispatcher.wait_for_selector('#live [data-live="queue"][data-n="0"]')
    # The count links to the work.
    street.click('#live [data-live="to_sign"]')
    street.wait_for_selector(f"text={ticket.code}")
    # The inbox signs what is ticked: the header's box ticks the whole page.
    street.check("[data-pick-all]")
    assert street.is_checked(f'input[name="pick"][value="{ticket.code}"]')
    street.click("#batch-sign")
    street.wait_for_selector("#batch-summary")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    street.goto(street.url.split("/inbox/")[0] + "/inbox/")
    street.wait_for_selector('#live [data-live="to_sign"][data-n="0"]')


def test_the_ticket_sheet_prints_on_a4_with_its_chinese_text(people, signed_in, live_server):
    import io

    from pypdf import PdfReader

    from hotline.dispatch.services import dispatch_ticket
    from hotline.supervision.models import OrderLevel, SupervisionOrder

    ticket = new_ticket(people.operator, content="东关大街12号楼下井盖缺失，夜间行人容易踩空摔伤")
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    order = SupervisionOrder.objects.create(
        ticket=ticket,
        unit=people.township,
        level=OrderLevel.PUBLIC,
        due=ticket.resolve_due,
        reason="超期三个工作日仍未办结",
        issued_at=ticket.resolve_due,
    )
    street = signed_in("street")
    street.goto(f"{live_server.url}/tickets/{ticket.code}/")
    with street.expect_popup() as popup:
        street.click("#print-ticket")
    sheet = popup.value
    sheet.wait_for_selector("#ticket-sheet")
    # preferCSSPageSize: the page's own @page rule decides the paper, as a person's Print does.
    pdf = PdfReader(io.BytesIO(sheet.pdf(prefer_css_page_size=True, print_background=True)))
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdf_text(pdf)
    assert ticket.code in text and "井盖缺失" in text and "工单" in text
    assert "返回工单" not in text  # the print button and the way back are not printed

    street.goto(f"{live_server.url}/tickets/{ticket.code}/print/orders/{order.pk}/")
    notice = PdfReader(io.BytesIO(street.pdf(prefer_css_page_size=True)))
    words = pdf_text(notice)
    assert "通报" in words and "超期三个工作日仍未办结" in words and len(notice.pages) == 1


def test_the_operator_merges_a_repeat_call_from_the_panel(people, signed_in):
    original = new_ticket(people.operator, content="东关大街12号门口占道经营，早晚高峰堵得走不动")
    operator = signed_in("operator")
    operator.fill("#id_requester_phone", original.requester_phone)
    operator.fill("#id_content", "东关大街12号门口又有人占道经营，还是堵")
    operator.wait_for_selector(f'#repeats .merge-into[value="{original.code}"]')
    operator.click(f'#repeats .merge-into[value="{original.code}"]')
    operator.wait_for_selector(".msg-success")
    assert original.code in operator.inner_text(".messages")
    call = Ticket.objects.exclude(pk=original.pk).get()
    assert call.status == Status.MERGED and call.merged_into_id == original.pk
    assert call.content == "东关大街12号门口又有人占道经营，还是堵"
