"""Every role's workbench: who may open which page, and each action of the loop through the forms."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from hotline.dispatch.services import dispatch_ticket
from hotline.handling.services import sign
from hotline.orgs.models import Staff, Unit
from hotline.tickets.models import Status, Ticket
from hotline.tickets.tests.helpers import new_ticket, township_matter

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def crew(people, django_user_model):
    """``people`` plus a leader and a district overseer (城东区, where 东关大街街道 lies)."""
    leader = django_user_model.objects.create_user("leader", password="pw-for-tests-only")
    Staff.objects.create(user=leader, role=Staff.Role.LEADER, unit=people.centre)
    office = Unit.objects.get(code="D630102-GOVSVC")
    district = django_user_model.objects.create_user("district", password="pw-for-tests-only")
    Staff.objects.create(user=district, role=Staff.Role.DISTRICT, unit=office)
    people.leader, people.district = leader, district
    return people


@pytest.fixture
def dispatched(people):
    ticket = new_ticket(people.operator, content="<script>alert(1)</script>楼道堆放杂物")
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    return ticket


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


PAGES = [
    "/console/",
    "/queue/",
    "/inbox/",
    "/revisits/",
    "/extensions/",
    "/pool/",
    "/search/",
    "/dashboard/",
    "/knowledge/",
]
# Which role opens which page; everything else is refused with 403.
ALLOWED = {
    "operator": {"/console/", "/revisits/", "/search/", "/knowledge/"},
    "dispatcher": {"/queue/", "/extensions/", "/search/", "/knowledge/"},
    "street": {"/inbox/", "/search/"},
    "dept": {"/inbox/", "/search/"},
    "supervisor": {"/extensions/", "/pool/", "/search/", "/dashboard/", "/knowledge/"},
    "leader": {"/pool/", "/search/", "/dashboard/"},
    "district": {"/pool/", "/search/", "/dashboard/"},
    "outsider": {"/inbox/", "/search/"},
}
HOME = {
    "operator": "/console/",
    "dispatcher": "/queue/",
    "street": "/inbox/",
    "supervisor": "/pool/",
    "leader": "/dashboard/",
    "district": "/pool/",
}


def test_each_role_opens_its_own_pages_and_no_others(crew, dispatched):
    for name, allowed in ALLOWED.items():
        client = as_(getattr(crew, name))
        for url in PAGES:
            expected = 200 if url in allowed else 403
            assert client.get(url).status_code == expected, (name, url)


def test_each_role_starts_on_its_home_page_and_strangers_sign_in_first(crew):
    for name, url in HOME.items():
        response = as_(getattr(crew, name)).get("/")
        assert response.status_code == 302 and response["Location"] == url, name
    for url in ["/", *PAGES]:
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_someone_without_a_role_is_told_why(db, ref, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="pw-for-tests-only")
    response = as_(nobody).get("/")
    assert response.status_code == 403 and "没有角色" in response.content.decode()


def test_an_outsider_cannot_reach_another_units_ticket_by_any_door(crew, dispatched):
    outsider = as_(crew.outsider)
    code = dispatched.code
    assert outsider.get(f"/tickets/{code}/").status_code == 404
    assert outsider.post(f"/tickets/{code}/sign/").status_code == 404
    assert f">{code}</a>" not in outsider.get(f"/search/?q={code}").content.decode()
    export = outsider.get("/search/?export=xlsx")
    assert export.status_code == 200 and code.encode() not in _xlsx_text(export.content)
    assert outsider.get(f"/tickets/{code}/attachments/1/").status_code == 404


def _xlsx_text(content: bytes) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row).encode()


def test_the_export_carries_the_filtered_rows_and_no_phone_numbers(crew, dispatched):
    text = _xlsx_text(as_(crew.supervisor).get("/pool/?export=xlsx").content)
    assert dispatched.code.encode() in text and b"13912345678" not in text


def test_a_district_sees_its_own_townships_only(crew, dispatched):
    other = new_ticket(crew.operator, address="湟中区鲁沙尔镇", content="村道路灯不亮")
    district = as_(crew.district)
    html = district.get("/pool/").content.decode()
    assert dispatched.code in html and other.code not in html
    assert district.get(f"/tickets/{other.code}/").status_code == 404
    assert "139****5678" in district.get(f"/tickets/{dispatched.code}/").content.decode()


def test_forms_need_the_csrf_token(crew, dispatched):
    client = Client(enforce_csrf_checks=True)
    client.force_login(crew.street)
    assert client.post(f"/tickets/{dispatched.code}/sign/").status_code == 403
    dispatched.refresh_from_db()
    assert dispatched.status == Status.DISPATCHED


def test_user_text_is_escaped_on_every_page(crew, dispatched):
    for user, url in [
        (crew.supervisor, "/pool/"),
        (crew.supervisor, f"/search/?q={dispatched.code}"),
        (crew.street, "/inbox/"),
        (crew.street, f"/tickets/{dispatched.code}/"),
        (crew.operator, "/console/"),
    ]:
        html = as_(user).get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url


def test_the_operator_registers_a_call_and_bad_input_changes_nothing(crew):
    operator = as_(crew.operator)
    before = Ticket.objects.count()
    form = {
        "requester_phone": "13987654321",
        "channel": "phone_12345",
        "kind": "help",
        "urgency": "normal",
        "content": "东关大街12号小区门口夜间烧烤噪音扰民",
        "address": "城东区东关大街街道东关大街12号",
    }
    for bad in [
        {"content": ""},
        {"content": " \n "},
        {"content": "很" * 20_001},
        {"channel": "fax"},
        {"requester_phone": "12ab"},
        {"matter": "no-such"},
        {"address": "北京市朝阳区建国路1号"},
    ]:
        response = operator.post("/console/", {**form, **bad})
        assert response.status_code == 400, bad
    assert Ticket.objects.count() == before
    response = operator.post("/console/", form, follow=True)
    ticket = Ticket.objects.get(requester_phone="13987654321")
    assert ticket.status == Status.REGISTERED and ticket.registered_by == crew.operator
    assert ticket.code in response.content.decode()


def test_the_caller_lookup_flags_a_repeat_caller(crew, dispatched):
    html = as_(crew.operator).get("/console/caller/?requester_phone=13912345678").content.decode()
    assert dispatched.code in html and "重复来电" in html
    fresh = as_(crew.operator).get("/console/caller/?requester_phone=13700000000").content.decode()
    assert "重复来电" not in fresh
    for partial in ["", "139", "abc", "1" * 500]:  # the operator is still typing
        assert as_(crew.operator).get("/console/caller/", {"requester_phone": partial}).status_code == 200
    assert as_(crew.street).get("/console/caller/?requester_phone=13912345678").status_code == 403


def test_suggestions_follow_the_words_and_the_place(crew):
    html = (
        as_(crew.operator)
        .get("/console/suggest/", {"content": "小区电梯突然停运，有人困在里面", "address": "城东区东关大街街道"})
        .content.decode()
    )
    assert "东关大街街道" in html and "电梯" in html
    for hostile in ["", "   ", "<img src=x onerror=alert(1)>", "😀" * 500, "x" * 100_000]:
        response = as_(crew.operator).get("/console/suggest/", {"content": hostile, "address": hostile})
        assert response.status_code == 200 and "<img src=x" not in response.content.decode()


def test_a_consultation_is_answered_from_the_knowledge_base(crew):
    from hotline.knowledge.models import Article

    article = Article.objects.get(title__contains="公积金")
    operator = as_(crew.operator)
    assert article.title in operator.get("/knowledge/?q=公积金 提取").content.decode()
    operator.post(
        "/console/",
        {
            "requester_phone": "13911112222",
            "channel": "phone_12345",
            "kind": "consultation",
            "urgency": "normal",
            "content": "想问公积金提取要带什么材料",
            "article": article.pk,
        },
    )
    ticket = Ticket.objects.get(requester_phone="13911112222")
    assert ticket.status == Status.ANSWERED and ticket.result.startswith(article.answer[:20])
    assert ticket.events.get(action="answer").data == {"article": article.pk}
    article.refresh_from_db()
    assert article.cited == 1


def test_the_whole_loop_through_the_forms(crew, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = new_ticket(crew.operator)
    dispatcher, street, operator = as_(crew.dispatcher), as_(crew.street), as_(crew.operator)
    assert ticket.code in dispatcher.get("/queue/").content.decode()
    page = dispatcher.get(f"/tickets/{ticket.code}/").content.decode()
    assert "东关大街街道" in page  # the router's proposal
    matter = township_matter()
    response = dispatcher.post(
        f"/tickets/{ticket.code}/dispatch/",
        {"dispatch-matter": matter.code, "dispatch-lead_unit": crew.township.code, "dispatch-note": "请尽快处理"},
    )
    assert response.status_code == 302
    # A second dispatcher on a stale page loses cleanly.
    again = dispatcher.post(
        f"/tickets/{ticket.code}/dispatch/",
        {"dispatch-matter": matter.code, "dispatch-lead_unit": crew.township.code},
    )
    assert again.status_code == 409
    assert ticket.code in street.get("/inbox/").content.decode()
    assert street.post(f"/tickets/{ticket.code}/sign/").status_code == 302
    assert street.post(f"/tickets/{ticket.code}/contact/", {"contact-note": "已电话联系王先生"}).status_code == 302
    photo = io.BytesIO(PNG)
    photo.name = "现场.png"
    fake = io.BytesIO(b"MZ\x90\x00 not a photo")
    fake.name = "现场.jpg"
    refused = street.post(f"/tickets/{ticket.code}/reply/", {"reply-result": "已清理", "reply-attachments": [fake]})
    assert refused.status_code == 400 and "不是" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and not ticket.attachments.exists()
    done = street.post(
        f"/tickets/{ticket.code}/reply/", {"reply-result": "已清理占道摊点", "reply-attachments": [photo]}
    )
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED and ticket.attachments.count() == 1
    image = street.get(f"/tickets/{ticket.code}/attachments/{ticket.attachments.get().pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert ticket.code in operator.get("/revisits/").content.decode()
    response = operator.post(
        f"/tickets/{ticket.code}/revisit/",
        {
            "revisit-outcome": "valid",
            "revisit-contacted": "true",
            "revisit-solved": "true",
            "revisit-satisfaction": "satisfied",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_a_unit_cannot_act_for_another_and_a_return_needs_a_reason(crew, dispatched):
    assert as_(crew.dept).post(f"/tickets/{dispatched.code}/sign/").status_code == 404  # not theirs at all
    street = as_(crew.street)
    assert street.post(f"/tickets/{dispatched.code}/return/", {"return-reason": ""}).status_code == 400
    assert as_(crew.operator).post(f"/tickets/{dispatched.code}/sign/").status_code == 403
    assert street.post(f"/tickets/{dispatched.code}/no-such-action/").status_code == 404
    assert street.post(f"/tickets/{dispatched.code}/return/", {"return-reason": "不属于本街道辖区"}).status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.status == Status.RETURNED
    dispatcher = as_(crew.dispatcher)
    assert dispatched.code in dispatcher.get("/queue/?status=returned").content.decode()
    page = dispatcher.get(f"/tickets/{dispatched.code}/").content.decode()
    assert "不属于本街道辖区" in page and 'id="action-refuse-return"' in page and 'id="action-dispatch"' in page
    refused = dispatcher.post(f"/tickets/{dispatched.code}/refuse-return/", {"refuse-return-note": "属地管理"})
    assert refused.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.status == Status.DISPATCHED


def test_someone_without_a_unit_cannot_act_as_one(crew, dispatched, django_user_model):
    """An administrator holds every permission but belongs to no unit: a unit's action is refused."""
    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests-only")
    assert as_(admin).post(f"/tickets/{dispatched.code}/sign/").status_code == 403
    dispatched.refresh_from_db()
    assert dispatched.status == Status.DISPATCHED


def test_attachments_are_limited_in_size_and_number(crew, dispatched, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HOTLINE = {**settings.HOTLINE, "ATTACHMENT_MAX_BYTES": 100, "ATTACHMENT_MAX_FILES": 2}
    sign(dispatched, unit=crew.township)
    street = as_(crew.street)

    def files(n, size=40):
        out = []
        for i in range(n):
            f = io.BytesIO(PNG[:8] + b"\x00" * size)
            f.name = f"p{i}.png"
            out.append(f)
        return out

    for bad in [files(1, size=200), files(3), [io.BytesIO(b"")]]:
        if bad[0].name is None if hasattr(bad[0], "name") else True:
            bad[0].name = "empty.png"
        response = street.post(
            f"/tickets/{dispatched.code}/reply/", {"reply-result": "已处理", "reply-attachments": bad}
        )
        assert response.status_code == 400
    assert not dispatched.attachments.exists()


def test_extensions_are_decided_by_the_centre(crew, dispatched):
    sign(dispatched, unit=crew.township)
    street = as_(crew.street)
    assert (
        street.post(
            f"/tickets/{dispatched.code}/extension/", {"extension-days": "3", "extension-reason": "需协调产权单位"}
        ).status_code
        == 302
    )
    supervisor = as_(crew.supervisor)
    html = supervisor.get("/extensions/").content.decode()
    assert dispatched.code in html
    extension = dispatched.extensions.get()
    assert supervisor.post(f"/extensions/{extension.pk}/decide/", {"approve": "1"}).status_code == 302
    extension.refresh_from_db()
    assert extension.state == "approved"
    assert as_(crew.street).post(f"/extensions/{extension.pk}/decide/", {"approve": "1"}).status_code == 403


def test_lists_page_sort_and_filter_on_the_server_and_shrug_off_junk(crew, dispatched):
    for n in range(3):
        new_ticket(crew.operator, content=f"第{n}件：小区路灯不亮")
    supervisor = as_(crew.supervisor)
    for query in [
        "?sort=-received",
        "?sort=;DROP TABLE",
        "?page=999",
        "?page=-1",
        "?page=abc",
        "?district=630102",
        "?district=nope",
        "?received_from=2026-13-45",
        "?status=closed&status=bogus",
        "?q=%00%27",
        "?deadline=overdue",
        "?tier=7",
        "?area=1",
    ]:
        assert supervisor.get(f"/search/{query}").status_code == 200, query
    assert dispatched.code in supervisor.get("/pool/?district=630102").content.decode()
    assert dispatched.code not in supervisor.get("/pool/?district=630106").content.decode()
    assert f">{dispatched.code}</a>" not in supervisor.get("/pool/?district=999999").content.decode()
    assert f">{dispatched.code}</a>" in supervisor.get("/search/?tier=7").content.decode()
    assert f">{dispatched.code}</a>" not in supervisor.get("/search/?tier=0").content.decode()
    assert 'value="0" selected' not in supervisor.get("/search/").content.decode()  # no tier chosen by default
    html = supervisor.get("/search/?q=路灯").content.decode()
    assert "第0件" in html and dispatched.code not in html


@pytest.mark.clock
def test_the_dashboard_draws_its_charts_without_any_external_host(crew):
    from django.utils import timezone

    # Received this month on the test clock: the dashboard's districts are this month's.
    ticket = new_ticket(crew.operator, content="<script>alert(1)</script>楼道堆放杂物", when=timezone.now())
    dispatch_ticket(ticket, lead_unit=crew.township, matter=township_matter())
    html = as_(crew.leader).get("/dashboard/").content.decode()
    assert "<svg" in html and "城东区" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


@pytest.mark.clock
def test_the_dashboards_figures_agree_with_the_tickets(crew):
    from django.utils import timezone

    from hotline.evaluation.services import record_revisit
    from hotline.handling.services import record_contact, reply

    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    tickets = [new_ticket(crew.operator, when=min(now, midnight + timezone.timedelta(seconds=1 + n))) for n in range(3)]
    yesterday = new_ticket(crew.operator, when=midnight - timezone.timedelta(hours=12))
    for t in tickets[:2]:
        dispatch_ticket(t, lead_unit=crew.township, matter=township_matter())
        sign(t, unit=crew.township)
        record_contact(t, unit=crew.township, note="已电话联系诉求人")
        reply(t, unit=crew.township, result="已处理")
    record_revisit(tickets[0], contacted=True, solved=True, satisfaction="satisfied")
    record_revisit(tickets[1], contacted=True, solved=False, satisfaction="dissatisfied")
    context = as_(crew.leader).get("/dashboard/").context
    assert context["today_count"] == 3
    trend = context["trend_chart"]
    assert f"{timezone.localtime(now):%m-%d}: 3" in trend
    assert f"{timezone.localtime(yesterday.received_at):%m-%d}: 1" in trend
    unit_row = next(u for u in context["units"] if u.key == str(crew.township.pk))
    assert unit_row.n >= 2 and unit_row.rates["n"] == 2 and unit_row.rates["resolution"] == 50.0
