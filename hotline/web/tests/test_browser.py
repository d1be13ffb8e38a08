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


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def fits_the_screen(page, what: str) -> None:
    """Nothing sticks out sideways: the page is no wider than the window (M6)."""
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{what}: the page is {width[0]} px wide in a {width[1]} px window"


def one_line(page, selector: str) -> list[str]:
    """Texts of the visible elements matching ``selector`` that wrap onto a second line."""
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector))
            .filter((e) => e.offsetParent !== null)
            .filter((e) => e.getClientRects().length > 1
                || e.getBoundingClientRect().height > 1.8 * parseFloat(getComputedStyle(e).lineHeight || 20))
            .map((e) => e.textContent)""",
        selector,
    )


def sign_out_is_visible(page) -> None:
    box = page.locator(".top .me button[type=submit]").bounding_box()
    width = page.evaluate("() => window.innerWidth")
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, "退出 is clipped"
    assert page.inner_text(".top .me button[type=submit]") == "退出"


def test_every_roles_home_page_on_a_desktop_and_a_phone(people, signed_in, live_server, screenshot, django_user_model):
    """The walkthrough's screenshots, retaken for every role at 1366 px and at 390 px: the top bar's
    links stay whole (m1), the phone folds them behind 菜单 with 退出 in sight and nothing overflows
    (M6), chart labels are not clipped (m2), "/" finds the search box (m4), the township filter follows
    the district (m3)."""
    from hotline.dispatch.services import dispatch_ticket
    from hotline.orgs.models import Staff, Unit
    from hotline.tickets.tests.helpers import new_ticket, township_matter

    for n in range(3):
        ticket = new_ticket(people.operator, content=f"第{n + 1}件：东关大街夜市油烟噪音扰民")
        if n:
            dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    from django.utils import timezone

    # The longest channel name, whose chart label the walkthrough saw clipped (m2).
    new_ticket(people.operator, when=timezone.now(), channel="hotline_12315", content="网购商品质量问题，商家拒不退货")
    for username, role, unit in (
        ("leader", Staff.Role.LEADER, people.centre),
        ("district", Staff.Role.DISTRICT, Unit.objects.get(code="D630102-GOVSVC")),
        ("street-head", Staff.Role.UNIT_MANAGER, people.township),
    ):
        user = django_user_model.objects.create_user(username, password=PASSWORD)
        Staff.objects.create(user=user, role=role, unit=unit)
    django_user_model.objects.create_superuser("admin", password=PASSWORD)
    for username, path, heading in [
        ("operator", "/console/", "受理诉求"),
        ("dispatcher", "/queue/", "派单队列"),
        ("street", "/inbox/", "待办工单"),
        ("street-head", "/inbox/", "待办工单"),
        ("dept", "/inbox/", "待办工单"),
        ("supervisor", "/pool/", "督办池"),
        ("leader", "/dashboard/", "每日诉求量（截至期末的30天）"),
        ("district", "/pool/", "督办池"),
        ("admin", "/dashboard/", "每日诉求量（截至期末的30天）"),
    ]:
        page = signed_in(username)
        assert page.url.endswith(path), username
        assert heading in page.inner_text("main"), username
        assert one_line(page, ".top .links a, .top .me > *") == [], username  # m1: no label broken
        if path == "/dashboard/":
            clipped = page.evaluate(
                """() => Array.from(document.querySelectorAll("svg.chart")).flatMap((svg) => {
                    const edge = svg.getBoundingClientRect().left;
                    return Array.from(svg.querySelectorAll("text"))
                        .filter((t) => t.getBoundingClientRect().left < edge - 0.5).map((t) => t.textContent);
                })"""
            )
            assert clipped == [], clipped  # m2
        if username == "supervisor":
            page.keyboard.press("/")
            assert page.evaluate("() => document.activeElement.name") == "q"  # m4
            page.keyboard.press("Escape")
            page.select_option("#id_district", "630102")
            strays = page.evaluate(
                """() => Array.from(document.querySelectorAll("#id_township option"))
                    .filter((o) => !o.hidden && o.dataset.district && o.dataset.district !== "630102").length"""
            )
            assert strays == 0  # m3
            page.goto(f"{live_server.url}/pool/")
        assert screenshot(page, f"home-{username}").stat().st_size > 10_000
        page.set_viewport_size(PHONE)
        page.reload()
        fits_the_screen(page, username)
        sign_out_is_visible(page)
        assert not page.is_visible("#site-menu"), username  # folded away on a phone
        screenshot(page, f"phone-home-{username}")
        page.click(".menu-toggle")
        assert page.is_visible("#site-menu a[aria-current=page]"), username
        assert one_line(page, "#site-menu a") == [], username
        fits_the_screen(page, f"{username}, menu open")
        page.click(".menu-toggle")
        assert not page.is_visible("#site-menu"), username


def test_a_street_office_works_a_ticket_on_a_phone(people, signed_in, live_server, screenshot, settings, tmp_path):
    """M6: the unit's inbox and every form of the ticket page at 390 px."""
    from hotline.dispatch.services import dispatch_ticket
    from hotline.tickets.tests.helpers import new_ticket, township_matter

    settings.MEDIA_ROOT = tmp_path
    ticket = new_ticket(
        people.operator,
        content="东关大街清真大寺北侧巷道内井盖缺失，夜间行人极易跌落，已有老人受伤，请尽快处理并设置警示标志。",
    )
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), note="请立即设置警示并补装井盖")
    street = signed_in("street")
    street.set_viewport_size(PHONE)
    street.reload()
    fits_the_screen(street, "inbox")
    row = street.locator("table.tickets tbody tr").first.bounding_box()
    assert row is not None and row["height"] < 260, row  # a card per ticket, not a column of characters
    screenshot(street, "phone-inbox-street")
    street.click(f"text={ticket.code}")
    street.wait_for_selector("#action-sign")
    fits_the_screen(street, "ticket before signing")
    street.click("#action-sign button[type=submit]")
    street.wait_for_selector(".msg-success")
    for form in ("#action-contact", "#action-extension", "#action-reply", "#action-return"):
        if street.locator(form).count():
            box = street.locator(form).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], form
    fits_the_screen(street, "ticket with its forms")
    screenshot(street, "phone-ticket-street")
    street.fill("#id_contact-note", "已电话联系，半小时内到场")
    street.click("#action-contact button[type=submit]")
    street.wait_for_selector(".msg-success")
    street.fill("#id_reply-result", "已补装井盖并设置警示标志")
    street.click("#action-reply button[type=submit]")
    street.wait_for_selector(".msg-success")
    fits_the_screen(street, "ticket after the reply")
    street.goto(f"{live_server.url}/search/?q={ticket.code}")
    assert street.locator("table.tickets tbody tr").count() == 1
    fits_the_screen(street, "search")
    # M10: a page the unit may not open says so in Chinese, in the site's look, with a way back.
    response = street.goto(f"{live_server.url}/pool/")
    assert response is not None and response.status == 403
    assert "您无权打开此页面" in street.inner_text("main") and street.is_visible("a.home")
    fits_the_screen(street, "403")
    sign_out_is_visible(street)
    screenshot(street, "phone-403-street")


def radios_beside_their_answers(page) -> None:
    """Each radio button sits on the line of its answer, just left of it (M6)."""
    apart = page.evaluate(
        """() => Array.from(document.querySelectorAll("input[type=radio]")).filter((radio) => {
            const box = radio.getBoundingClientRect();
            const label = radio.closest("label").getBoundingClientRect();
            const middle = (r) => (r.top + r.bottom) / 2;
            return box.left - label.left > 4 || Math.abs(middle(box) - middle(label)) > 8 || box.width > 40;
        }).map((radio) => radio.value)"""
    )
    assert apart == []


def test_a_citizen_uses_the_portal_and_the_sms_rating_page_on_a_phone(people, chromium, live_server, screenshot):
    """M6: every public page at 390 px, and the 404 page in the portal's look (M10)."""
    from hotline.dispatch.services import dispatch_ticket
    from hotline.evaluation.links import rating_token
    from hotline.handling.services import record_contact, reply, sign
    from hotline.tickets.tests.helpers import new_ticket, township_matter

    ticket = new_ticket(people.operator, requester_phone="13800135566")
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    sign(ticket, unit=people.township, actor=people.street)
    record_contact(ticket, unit=people.township, actor=people.street, note="已联系")
    reply(ticket, unit=people.township, result="已清理占道摊点并加强巡查", actor=people.street)
    ticket.refresh_from_db()
    context = chromium.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        for path, name in (
            ("/public/", "portal"),
            ("/public/submit/", "submit"),
            ("/public/cases/", "cases"),
            ("/public/figures/", "figures"),
            ("/login/", "login"),
            ("/public/track/", "track"),
        ):
            page.goto(f"{live_server.url}{path}")
            fits_the_screen(page, name)
            screenshot(page, f"phone-public-{name}")
        page.fill("#id_code", ticket.code)
        page.fill("#id_last4", "5566")
        page.click("#track-form button[type=submit]")
        page.wait_for_selector("#rate")
        fits_the_screen(page, "tracked ticket")
        radios_beside_their_answers(page)
        screenshot(page, "phone-public-rate")
        page.goto(f"{live_server.url}/s/rate/{rating_token(ticket)}/")
        assert page.locator("input[type=radio]").count() >= 7
        fits_the_screen(page, "SMS rating page")
        radios_beside_their_answers(page)
        assert page.locator("body.portal").count() == 1  # the citizen sees the portal, not the staff bar
        screenshot(page, "phone-sms-rate")
        page.goto(f"{live_server.url}/public/cases/99999/")
        assert "页面不存在" in page.inner_text("main") and page.is_visible("a.home")
        fits_the_screen(page, "404")
        screenshot(page, "phone-public-404")
    finally:
        context.close()
