"""Repeat detection at intake: who, where, what and how alike; never a merged ticket."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hotline.catalog.models import Matter
from hotline.insight.repeats import likely_repeats, text_likeness
from hotline.intake.services import merge_ticket
from hotline.tickets.tests.helpers import at, new_ticket

NOW = at(2026, 11, 20, 10)
GATE = "东关花园小区门口有人摆摊卖菜，车辆乱停，早晚出不去。"


def matter():
    return Matter.objects.filter(is_leaf=True).order_by("code").first()


def other_matter():
    return Matter.objects.filter(is_leaf=True).order_by("-code").first()


def original(people, **kw):
    when = kw.pop("when", at(2026, 11, 10, 9))
    fields = {"content": GATE, "address": "城东区东关大街街道东关花园小区", "matter": matter().code}
    fields.update(kw)
    return new_ticket(people.operator, when=when, **fields)


def test_same_caller_same_place_same_matter_is_the_best_repeat(people):
    first = original(people)
    found = likely_repeats("13912345678", "城东区东关大街街道东关花园小区", first.region, matter(), GATE, now=NOW)
    assert [r.ticket for r in found] == [first]
    assert found[0].score > 0.9
    assert "same caller" in found[0].reasons and "same matter" in found[0].reasons
    assert any(r.startswith("same place") for r in found[0].reasons)


def test_another_caller_at_the_same_place_is_found_by_place_and_text(people):
    first = original(people)
    found = likely_repeats(
        "13700000000", "东关花园小区", first.region, None, "东关花园小区门口摆摊卖菜的又来了，车也乱停", now=NOW
    )
    assert [r.ticket for r in found] == [first]
    assert "same caller" not in found[0].reasons


def test_unrelated_requests_are_not_repeats(people):
    first = original(people)
    found = likely_repeats(
        "13700000000", "城西区虎台街道海湖路", None, other_matter(), "咨询公积金提取需要哪些材料", now=NOW
    )
    assert first not in [r.ticket for r in found]
    assert found == []


def test_window_merged_and_excluded_tickets_are_left_out(people):
    old = original(people, when=NOW - dt.timedelta(days=91), requester_phone="13811111111")
    kept = original(people, when=at(2026, 11, 12, 9))
    dup = original(people, when=at(2026, 11, 13, 9))
    merge_ticket(dup, into=kept, actor=people.operator)
    found = likely_repeats("13912345678", "东关花园小区", kept.region, matter(), GATE, now=NOW)
    tickets = [r.ticket for r in found]
    assert kept in tickets and dup not in tickets and old not in tickets
    again = likely_repeats("13912345678", "东关花园小区", kept.region, matter(), GATE, now=NOW, exclude=kept)
    assert kept not in [r.ticket for r in again]


def test_duplicated_calls_rank_by_score_and_respect_the_limit(people):
    for day in range(1, 8):
        original(people, when=at(2026, 11, day, 9))
    found = likely_repeats("13912345678", "东关花园小区", None, matter(), GATE, now=NOW, limit=3)
    assert len(found) == 3
    assert [r.score for r in found] == sorted((r.score for r in found), reverse=True)
    assert likely_repeats("13912345678", "东关花园小区", None, matter(), GATE, now=NOW, limit=0) == []


def test_empty_huge_and_hostile_input(people):
    original(people)
    assert likely_repeats("", "", None, None, "", now=NOW) == []
    hostile = "'; DROP TABLE tickets_ticket; --" + "%_" * 5000
    assert likely_repeats(hostile[:20], hostile, None, None, hostile, now=NOW) == []
    assert text_likeness("", GATE) == 0.0
    assert text_likeness(GATE, GATE) > 0.99


def test_the_console_panel_warns_the_operator(client, people):
    first = original(people, when=timezone.now() - dt.timedelta(days=2))
    client.force_login(people.operator)
    page = client.get(
        "/insight/repeats/",
        {"phone": "139 1234 5678", "address": "城东区东关大街街道东关花园小区", "matter": matter().code, "text": GATE},
    )
    assert page.status_code == 200 and first.code in page.content.decode()
    none = client.get("/insight/repeats/", {"text": GATE, "exclude": first.code}).content.decode()
    assert first.code not in none and "无：没有与本诉求相似的既往诉求" in none  # m12: an empty panel says so
    assert first.code not in client.get("/insight/repeats/", {}).content.decode()
    client.force_login(people.street)
    assert client.get("/insight/repeats/", {"text": GATE}).status_code == 403
