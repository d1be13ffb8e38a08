"""The walkthrough's wrong words, error pages and small slips (M5, M10, m3, m7, m8, m14, m15, m16),
checked on the pages as served in Chinese."""

from __future__ import annotations

import glob
import io
import os
import re

import django
import polib
from django.utils import translation
import pytest
from django.test import Client, override_settings
from django.urls import path

from hotline import urls as site_urls
from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation.services import record_revisit
from hotline.handling.services import record_contact, reply, sign
from hotline.orgs.models import Region
from hotline.tickets.models import Status
from hotline.tickets.tests.helpers import new_ticket, township_matter
from hotline.web.tests.test_i18n import LOCALE

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- M5: one English word, two Chinese ones ------------------------------------------------------

# Our catalogue overrides Django's for the same msgid. These differ from Django's wording but mean
# the same where Django shows them (reviewed): anything else is a collision like 修改 → 环比.
SAME_MEANING = {
    "active": "启用",  # Django: 有效 (a user account's is_active)
    "Summary": "概况",  # Django: 概览
    "Filter": "筛选",  # Django: 过滤器
    "Administration": "系统管理",  # Django: 管理
    "content": "诉求内容",  # flatpages, not installed
}


def test_no_msgid_of_ours_changes_what_django_shows():
    ours = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / "django.po")) if not e.msgctxt and e.msgstr}
    django_root = os.path.dirname(django.__file__)
    collisions = {}
    for po in glob.glob(f"{django_root}/**/locale/zh_Hans/LC_MESSAGES/django.po", recursive=True):
        for entry in polib.pofile(po):
            mine = ours.get(entry.msgid)
            if entry.msgctxt or not entry.msgstr or mine is None or mine == entry.msgstr:
                continue
            if entry.msgid in (":", ":?.!"):  # ours on purpose: full-width label marks (m14)
                continue
            if SAME_MEANING.get(entry.msgid) != mine:
                collisions[entry.msgid] = (mine, entry.msgstr)
    assert collisions == {}


def test_one_english_word_with_two_meanings_gets_two_chinese_words(db):
    """ "pending", "refused", "active" and "rank" each name two different things."""
    from django.utils import translation

    from hotline.evaluation.models import Revisit
    from hotline.insight.models import Hotspot
    from hotline.outbox.models import Delivery
    from hotline.orgs.models import Unit
    from hotline.tickets.models import Assignment, Extension

    with translation.override("zh-hans"):
        assert str(Extension.State.PENDING.label) == "待审批"
        assert str(Delivery.State.PENDING.label) == "待发送"
        assert str(Extension.State.REFUSED.label) == "未批准"
        assert str(Revisit.Outcome.REFUSED.label) == "拒绝回访"
        assert str(Assignment.State.ACTIVE.label) == "办理中"
        assert str(Unit._meta.get_field("is_active").verbose_name) == "启用"
        assert str(Hotspot._meta.get_field("rank").verbose_name) == "排名"


def test_the_admin_says_change_and_the_report_says_change_on_the_previous_period(people, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests-only")
    page = text(as_(admin).get("/admin/orgs/unit/", **ZH))
    assert "修改" in page and "环比" not in page
    from hotline.reports.render import change_heading

    from django.utils import translation

    with translation.override("zh-hans"):
        assert change_heading() == "环比"


def test_the_portal_says_submitted_after_a_request_is_sent(ref):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("zh-hans"):
        page = render_to_string("publicity/submitted.html", {"code": "XN20261209000001"})
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert heading == "提交成功"


# --- m14: full-width colons after Chinese labels ----------------------------------------------


def test_form_labels_end_in_a_full_width_colon_and_none_after_a_question_mark(people):
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    sign(ticket, unit=people.township, actor=people.street)
    page = text(as_(people.street).get(f"/tickets/{ticket.code}/", **ZH))
    labels = re.findall(r"<label[^>]*>([^<]+)</label>", page)
    assert labels and all(not label.endswith(":") for label in labels), labels
    assert any(label.endswith("：") for label in labels)
    rate = text(Client().get("/public/", **ZH))
    assert "？：" not in rate and "?:" not in rate


# --- m7, m8: the ticket page's deadline tier and unit lines -------------------------------------


def test_a_same_day_ticket_reads_same_day_not_zero_working_days(people):
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    ticket.tier = 0
    ticket.save(update_fields=["tier"])
    page = text(as_(people.dispatcher).get(f"/tickets/{ticket.code}/", **ZH))
    tier = re.search(r'<span id="tier">(.*?)</span>', page).group(1)
    assert "0 个工作日" not in tier and "当日" in tier


def test_a_closed_tickets_silent_co_unit_reads_no_reply_and_task_and_reply_are_apart(people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = new_ticket(people.operator)
    dispatch_ticket(
        ticket,
        lead_unit=people.township,
        co_units=[people.housing],
        matter=township_matter(),
        note="清理楼道杂物并反馈",
    )
    sign(ticket, unit=people.township, actor=people.street)
    record_contact(ticket, unit=people.township, actor=people.street, note="已电话联系")
    reply(ticket, unit=people.township, result="经核查已清理完毕", actor=people.street)
    record_revisit(ticket, contacted=True, solved=True, satisfaction="satisfied", actor=people.operator)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    page = text(as_(people.dispatcher).get(f"/tickets/{ticket.code}/", **ZH))
    units = re.search(r'<ul class="assignments">(.*?)</ul>', page, re.S).group(1)
    lines = re.findall(r'<li class="assignment">(.*?)</li>', units, re.S)
    co = next(line for line in lines if str(people.housing) in line)
    assert "未答复" in co and "启用" not in co
    lead = next(line for line in lines if str(people.township) in line)
    assert '<div class="assignment-task">交办要求：清理楼道杂物并反馈</div>' in lead
    assert '<div class="assignment-reply">答复：经核查已清理完毕</div>' in lead
    assert "处理。：" not in page and "反馈：经核查" not in page


# --- m2: chart labels ---------------------------------------------------------------------------


def test_bar_labels_get_the_room_they_need_and_charts_never_scale_up():
    from hotline.charts import Bar, bars, text_width

    longest = "12315市场监管投诉举报热线"
    svg = str(bars([Bar(longest, 3), Bar("12345热线电话", 9)]))
    x = float(re.search(r'<text x="([\d.]+)"[^>]*text-anchor="end"', svg).group(1))
    assert x - text_width(longest) >= 0  # right-aligned at x, it starts inside the chart
    assert f"<title>{longest}</title>{longest}</text>" in svg
    # A wide card does not blow the chart (and its text) up: its natural width is an attribute and
    # site.css only shrinks it (max-width: 100%), no style="" that the CSP would refuse.
    assert 'width="560"' in svg and "style=" not in svg
    very_long = "某某市某某区某某街道某某社区居民委员会便民服务热线" * 2
    svg = str(bars([Bar(very_long, 1)]))
    shown = re.search(r"</title>([^<]+)</text>", svg).group(1)
    assert shown.endswith("…") and text_width(shown) <= 560 * 0.45


def test_a_ticket_answered_directly_shows_no_unit_time_limit(people):
    ticket = new_ticket(people.operator)
    ticket.status, ticket.tier = Status.ANSWERED, 7
    ticket.save(update_fields=["status", "tier"])
    page = text(as_(people.dispatcher).get(f"/tickets/{ticket.code}/", **ZH))
    assert 'id="tier"' not in page and "7 个工作日" not in page


# --- M10: error pages -----------------------------------------------------------------------------


def boom(request):
    raise RuntimeError("a deliberate failure")


# The site's pages and two that fail, one on each side, with the site's error handlers.
urlpatterns = [path("public/boom/", boom), path("boom/", boom), *site_urls.urlpatterns]
handler403, handler404, handler500 = site_urls.handler403, site_urls.handler404, site_urls.handler500


@pytest.fixture
def with_boom(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def test_error_pages_are_chinese_in_the_sites_look_with_a_way_back(people, with_boom, settings):
    assert settings.DEBUG is False
    street = as_(people.street)
    forbidden = street.get("/pool/", **ZH)
    assert forbidden.status_code == 403
    page = text(forbidden)
    assert "您无权打开此页面" in page and "Forbidden" not in page
    assert 'href="/"' in page and "site.css" in page and "退出" in page  # the staff look, signed in

    missing = street.get("/tickets/XN00000000000000/", **ZH)
    assert missing.status_code == 404 and "页面不存在" in text(missing) and "回到我的工作台" in text(missing)

    public = Client().get("/public/cases/99999/", **ZH)
    assert public.status_code == 404
    page = text(public)
    assert "页面不存在" in page and "Not Found" not in page
    assert "portal.css" in page and 'href="/public/"' in page  # the portal's look and its home page

    broken = Client(raise_request_exception=False)
    for url, home in (("/public/boom/", 'href="/public/"'), ("/boom/", 'href="/"')):
        response = broken.get(url, **ZH)
        assert response.status_code == 500
        assert "系统出现错误" in text(response) and home in text(response), url
        assert "Server Error" not in text(response)


def test_a_form_sent_without_its_csrf_token_gets_a_chinese_page(people, with_boom):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.street)
    response = client.post("/logout/", **ZH)
    assert response.status_code == 403
    page = text(response)
    assert "表单已失效" in page and "CSRF cookie" not in page and "刷新页面" in page
    public = Client(enforce_csrf_checks=True).post("/public/track/", {"code": "x"}, **ZH)
    assert public.status_code == 403 and "表单已失效" in text(public) and "portal.css" in text(public)


# --- m16: favicon -----------------------------------------------------------------------------------


def test_every_page_names_an_icon_and_favicon_ico_leads_to_it(people):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/web/favicon.svg")
    for client, url in ((Client(), "/public/"), (Client(), "/login/"), (as_(people.street), "/inbox/")):
        assert re.search(r'<link rel="icon" href="[^"]+favicon\.svg"', text(client.get(url))), url
    from django.contrib.staticfiles import finders

    svg = finders.find("web/favicon.svg")
    assert svg and open(svg, encoding="utf-8").read().startswith("<svg")


# --- m3, m15: pool filters and export ---------------------------------------------------------------


@pytest.fixture
def three(people):
    tickets = []
    for n in range(3):
        ticket = new_ticket(people.operator, content=f"第{n + 1}件：楼道堆放杂物堵塞消防通道")
        dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
        tickets.append(ticket)
    return tickets


def test_the_pool_offers_no_closed_state_and_dates_as_date_pickers(people, three):
    page = text(as_(people.supervisor).get("/pool/", **ZH))
    statuses = re.findall(r'name="status" value="([a-z_]+)"', page)
    assert statuses and set(statuses) <= {"dispatched", "in_progress", "reopened", "returned"}
    assert "closed" not in statuses and 'type="checkbox"' in page
    assert re.search(r'<input type="date" name="received_from"', page)
    search = text(as_(people.supervisor).get("/search/", **ZH))
    assert 'name="status" value="closed"' in search  # search finds closed tickets too
    # No two filters read alike (时限 beside 办理时限 once did).
    form = as_(people.supervisor).get("/pool/", **ZH).context["filter"].form
    with translation.override("zh-hans"):
        labels = [str(field.label) for field in form]
    alike = [(a, b) for a in labels for b in labels if a != b and a in b]
    assert len(set(labels)) == len(labels) and alike == [], alike


def test_nonsense_filter_values_are_named_as_errors_not_shown_as_no_tickets(people, three):
    supervisor = as_(people.supervisor)
    for query, field in (
        ("received_from=2026-13-45", "received_from"),
        ("district=999999", "district"),
        ("status=bogus", "status"),
        ("status=closed", "status"),
        ("received_from=2026-12-09&received_to=2026-12-01", "received_to"),
    ):
        response = supervisor.get(f"/pool/?{query}", **ZH)
        page = text(response)
        assert "部分筛选条件无效" in page and field in response.context["filter"].form.errors, query
        assert 'class="errorlist' in page, query
        assert not any(t.code in page for t in three), query


def test_a_township_outside_the_chosen_district_is_an_error_and_options_name_their_district(people, three):
    district = Region.objects.get(code="630102")  # 城东区
    elsewhere = Region.objects.filter(level=Region.Level.TOWNSHIP).exclude(parent=district).first()
    page = text(as_(people.supervisor).get(f"/pool/?district={district.code}&township={elsewhere.code}", **ZH))
    assert f"{elsewhere}不在{district}范围内" in page
    option = next(o for o in re.findall(r"<option [^>]*>", page) if f'value="{elsewhere.code}"' in o)
    assert f'data-district="{elsewhere.parent_id}"' in option


def test_the_export_is_dated_and_in_the_screens_order(people, three, clock):
    from openpyxl import load_workbook

    supervisor = as_(people.supervisor)
    for sort in ("code", "-code"):
        screen = re.findall(r'href="/tickets/(XN\d+)/"', text(supervisor.get(f"/pool/?sort={sort}")))
        export = supervisor.get(f"/pool/?sort={sort}&export=xlsx")
        assert re.fullmatch(r'attachment; filename="pool-20261209-\d{4}\.xlsx"', export["Content-Disposition"])
        rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))[1:]
        assert [row[0] for row in rows] == screen[: len(rows)] and len(rows) == 3
    search = as_(people.supervisor).get("/search/?export=xlsx")
    assert 'filename="tickets-2026' in search["Content-Disposition"]


@override_settings(DEBUG=False)
def test_the_pool_counters_lead_to_lists_that_hold_their_tickets(people, three):
    page = text(as_(people.supervisor).get("/pool/", **ZH))
    assert 'href="/search/?status=registered&amp;status=returned"' in page
    assert 'href="/search/?status=replied"' in page


# --- M5: no English left on any page ----------------------------------------------------------

# Words that are the same in Chinese: product and file names, keys, units of the codes.
NOT_ENGLISH = {"Excel", "Word", "Alt", "Ctrl", "Enter", "APP", "PDF", "PNG", "JPEG", "WebP", "SMS", "Esc"}


def english_words(html: str, *, names: set[str]) -> set[str]:
    """Latin words of three letters or more in what a person reads (not tags, scripts, styles)."""
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    body = re.sub(r"(?s)<!--.*?-->", " ", body)
    body = re.sub(r"<[^>]+>", " ", body)
    body = re.sub(r"&(?:[A-Za-z]+|#\d+);", " ", body)  # character entities: &lsaquo; reads ‹
    words = set(re.findall(r"(?<![\w.@/-])[A-Za-z]{3,}(?![\w.@/-])", body))
    return words - NOT_ENGLISH - names


def test_no_page_shows_english_words(people, three, django_user_model):
    from hotline.tickets.models import Ticket

    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests-only")
    names = {"root", "operator", "dispatcher", "street", "dept", "supervisor", "outsider", "pw"}
    ticket = Ticket.objects.filter(status=Status.DISPATCHED).first()
    staff_pages = [
        "/console/",
        "/queue/",
        "/pool/",
        "/search/",
        "/dashboard/",
        "/revisits/",
        "/extensions/",
        "/spot-checks/",
        "/knowledge/",
        "/insight/",
        "/reports/",
        "/cases/",
        f"/tickets/{ticket.code}/",
        "/reports/view/?kind=daily&date=2026-11-02",
        "/reports/view/?kind=monthly&date=2026-11-02",
        "/admin/",
        "/admin/tickets/ticket/",
        "/no-such-page/",
    ]
    found = {}
    client = as_(admin)
    for url in staff_pages:
        words = english_words(text(client.get(url, **ZH)), names=names)
        if words:
            found[url] = words
    street = as_(people.street)
    for url in ("/inbox/", f"/tickets/{ticket.code}/", "/pool/"):
        words = english_words(text(street.get(url, **ZH)), names=names)
        if words:
            found[f"street {url}"] = words
    public = Client()
    for url in ("/public/", "/public/submit/", "/public/track/", "/public/cases/", "/public/figures/", "/login/"):
        words = english_words(text(public.get(url, **ZH)), names=names)
        if words:
            found[url] = words
    assert found == {}, found


def test_the_administrators_menu_has_the_knowledge_base_and_typical_cases(people, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests-only")
    menu = re.search(r'<nav class="links" id="site-menu">(.*?)</nav>', text(as_(admin).get("/dashboard/", **ZH)), re.S)
    assert (
        menu
        and '<a href="/knowledge/">知识库</a>' in menu.group(1)
        and '<a href="/cases/">典型案例</a>' in menu.group(1)
    )
