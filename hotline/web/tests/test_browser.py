"""The whole loop in a real browser: Debian's chromium driven by Playwright against a live server.

An operator registers a call, a dispatcher dispatches it, the street office signs, contacts and
replies with a photo, the operator records the revisit and the ticket closes; and a consultation
answered straight from the knowledge base. Each role's home page is saved as a screenshot under
test-output/screenshots/.
"""

from __future__ import annotations

import pytest

from hotline.catalog.models import Matter
from hotline.tickets.models import Status, Ticket

pytestmark = pytest.mark.browser
PASSWORD = "pw-for-tests-only"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def signed_in(chromium, live_server):
    """A fresh browser context per person, signed in through the real login form."""
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
        page.wait_for_load_state("networkidle")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def _ticket_page(page, live_server, code: str) -> None:
    page.goto(f"{live_server.url}/tickets/{code}/")


def test_the_whole_loop_in_the_browser(people, signed_in, live_server, screenshot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # 接: the operator takes the call.
    operator = signed_in("operator")
    assert operator.url.endswith("/console/")
    operator.fill("#id_requester_phone", "13811112222")
    operator.fill("#id_requester_name", "张女士")
    operator.fill("#id_address", "城东区东关大街街道东关大街12号")
    operator.fill("#id_content", "小区电梯突然停运，有人困在里面，物业电话打不通")
    operator.wait_for_selector("#suggest [data-fill-matter]")
    assert "东关大街街道" in operator.inner_text("#suggest")
    operator.locator("#suggest [data-fill-matter]").first.click()
    assert operator.input_value("#id_matter") != ""
    # The title intake would write fills the title field; the operator may still rewrite it.
    assert operator.input_value("#id_title") != ""
    # The matter picker: typed, searched as you type, chosen with the keyboard (no 598-row list).
    lift = Matter.objects.get(name="电梯困人", is_leaf=True)
    operator.fill("#id_matter", "")
    operator.type("#id_matter", "电梯困人")
    operator.wait_for_selector("#id_matter + .picker-list [role=option]")
    operator.keyboard.press("ArrowDown")
    operator.keyboard.press("Enter")
    assert operator.input_value("#id_matter") == f"{lift.path} · {lift.code}"
    operator.select_option("#id_urgency", "urgent")
    operator.focus("#id_content")
    operator.keyboard.press("Control+Enter")  # the console's shortcut to register
    operator.wait_for_selector(".msg-success")
    ticket = Ticket.objects.get(requester_phone="13811112222")
    assert ticket.status == Status.REGISTERED and ticket.matter.name == "电梯困人"
    assert ticket.code in operator.inner_text(".messages")

    # 派: the dispatcher sees it at the top of the queue and dispatches to the router's unit.
    dispatcher = signed_in("dispatcher")
    assert dispatcher.url.endswith("/queue/")
    dispatcher.click(f"text={ticket.code}")
    dispatcher.wait_for_selector("#action-dispatch")
    lead = dispatcher.input_value("#id_dispatch-lead_unit")
    assert lead, "the router proposes a lead unit"
    dispatcher.fill("#id_dispatch-lead_unit", people.township.code)  # the street office acts first: typed
    dispatcher.fill("#id_dispatch-note", "有人被困，请立即处置")
    dispatcher.click("#action-dispatch button[type=submit]")
    dispatcher.wait_for_selector(".msg-success")
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.lead_unit == people.township

    # 办: the street office signs, contacts the citizen and replies with a photo.
    street = signed_in("street")
    assert street.url.endswith("/inbox/")
    assert street.locator(f"tr.row-on_time >> text={ticket.code}").count() == 1
    assert "138****2222" in _open(street, live_server, ticket.code)
    street.click("#action-sign button[type=submit]")
    street.wait_for_selector(".msg-success")
    assert "13811112222" in street.inner_text("#requester")  # signed: the unit may now call the citizen
    street.fill("#id_contact-note", "已电话联系张女士，维保人员10分钟到场")
    street.click("#action-contact button[type=submit]")
    street.wait_for_selector(".msg-success")
    street.fill("#id_reply-result", "维保人员到场解救被困人员，电梯已修复并复检")
    street.set_input_files(
        "#id_reply-attachments", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}]
    )
    street.click("#action-reply button[type=submit]")
    street.wait_for_selector(".msg-success")
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED and ticket.attachments.count() == 1
    assert street.locator(".attachments img").count() == 1

    # 评: the operator calls back and records the revisit; the ticket closes.
    operator.goto(f"{live_server.url}/revisits/")
    operator.click(f"text={ticket.code}")
    operator.select_option("#id_revisit-outcome", "valid")  # nothing is chosen beforehand (M3)
    operator.select_option("#id_revisit-contacted", "true")
    operator.select_option("#id_revisit-solved", "true")
    operator.select_option("#id_revisit-satisfaction", "satisfied")
    operator.click("#action-revisit button[type=submit]")
    operator.wait_for_selector(".msg-success")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert operator.url.endswith("/revisits/")  # back to the list the operator came from
    _ticket_page(operator, live_server, ticket.code)
    timeline = operator.inner_text(".timeline")
    for step in ["登记", "派单", "签收", "联系", "答复", "办结"]:
        assert step in timeline, step


def _open(page, live_server, code: str) -> str:
    _ticket_page(page, live_server, code)
    return page.inner_text("#requester")


def test_a_consultation_answered_from_the_knowledge_base(people, signed_in, live_server):
    operator = signed_in("operator")
    operator.fill("#id_requester_phone", "13900001111")
    operator.select_option("#id_kind", "consultation")
    operator.fill("#id_content", "请问公积金提取需要带哪些材料？")
    operator.keyboard.press("Alt+K")  # the shortcut to the knowledge base search
    operator.keyboard.type("公积金")
    operator.wait_for_selector("#articles .use-article")
    operator.locator("#articles .use-article").first.click()
    assert operator.is_visible("#answer-button") and "公积金" in operator.inner_text("#chosen-article")
    operator.click("#answer-button")
    operator.wait_for_selector(".msg-success")
    ticket = Ticket.objects.get(requester_phone="13900001111")
    assert ticket.status == Status.ANSWERED and "公积金" in ticket.result
    assert ticket.events.filter(action="dispatch").count() == 0


def test_a_repeat_caller_is_flagged_as_the_number_is_typed(people, signed_in):
    from hotline.tickets.tests.helpers import new_ticket

    new_ticket(people.operator, requester_phone="13912345678")
    operator = signed_in("operator")
    operator.keyboard.press("Alt+P")
    operator.keyboard.type("13912345678")
    operator.wait_for_selector("#caller .repeat")
    assert "重复来电" in operator.inner_text("#caller")


def test_each_roles_home_page(people, signed_in, live_server, screenshot, django_user_model):
    from hotline.dispatch.services import dispatch_ticket
    from hotline.orgs.models import Staff, Unit
    from hotline.tickets.tests.helpers import new_ticket, township_matter

    for n in range(3):
        ticket = new_ticket(people.operator, content=f"第{n + 1}件：东关大街夜市油烟噪音扰民")
        if n:
            dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    leader = django_user_model.objects.create_user("leader", password=PASSWORD)
    Staff.objects.create(user=leader, role=Staff.Role.LEADER, unit=people.centre)
    district = django_user_model.objects.create_user("district", password=PASSWORD)
    Staff.objects.create(user=district, role=Staff.Role.DISTRICT, unit=Unit.objects.get(code="D630102-GOVSVC"))
    for username, path, heading in [
        ("operator", "/console/", "受理诉求"),
        ("dispatcher", "/queue/", "派单队列"),
        ("street", "/inbox/", "待办工单"),
        ("supervisor", "/pool/", "督办池"),
        ("leader", "/dashboard/", "每日诉求量（截至期末的30天）"),
        ("district", "/pool/", "督办池"),
    ]:
        page = signed_in(username)
        assert page.url.endswith(path), username
        assert heading in page.inner_text("main"), username
        shot = screenshot(page, f"home-{username}")
        assert shot.stat().st_size > 10_000
