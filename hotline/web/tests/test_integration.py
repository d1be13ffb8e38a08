"""The workbenches with the rest of the loop: the classifier's suggestions at intake and dispatch,
repeat warnings, the pool's colours, orders and spot-check findings, and the leader's zones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hotline.catalog.models import Matter
from hotline.dispatch.tests.test_intelligence import trained  # noqa: F401  (the small-model fixture)
from hotline.tickets.models import Status, Ticket
from hotline.tickets.tests.helpers import new_ticket


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _example(prefix: str = "0401") -> tuple[Matter, str]:
    matter = Matter.objects.filter(code__startswith=prefix, is_leaf=True).first()
    return matter, matter.example_list()[0]


def test_the_console_shows_the_classifiers_suggestions_with_their_reasons(people, trained):  # noqa: F811
    matter, text = _example()
    html = (
        as_(people.operator).get("/console/suggest/", {"content": text, "address": "湟中县鲁沙尔镇"}).content.decode()
    )
    assert matter.path in html and "鲁沙尔镇" in html and "→" in html
    for hostile in ["", "<script>alert(1)</script>", "😀" * 300]:
        page = as_(people.operator).get("/console/suggest/", {"content": hostile})
        assert page.status_code == 200 and "<script>alert" not in page.content.decode()


def test_a_sure_call_is_dispatched_as_it_is_registered(people, trained, settings):  # noqa: F811
    settings.HOTLINE = {**settings.HOTLINE, "AUTO_DISPATCH_CONFIDENCE": 0.0}
    matter, text = _example()
    form = {
        "requester_phone": "13600001111",
        "channel": "phone_12345",
        "kind": "help",
        "urgency": "normal",
        "content": text,
        "address": "湟中县鲁沙尔镇",
    }
    response = as_(people.operator).post("/console/", form, follow=True)
    ticket = Ticket.objects.get(requester_phone="13600001111")
    assert ticket.status == Status.DISPATCHED and ticket.lead_unit is not None
    assert "自动派单" in response.content.decode()


def test_the_console_form_sent_twice_registers_one_call(people):
    import re

    operator = as_(people.operator)
    key = re.search(r'name="key" value="([0-9a-f]{32})"', operator.get("/console/").content.decode()).group(1)
    form = {
        "requester_phone": "13600003333",
        "channel": "phone_12345",
        "kind": "help",
        "urgency": "normal",
        "content": "小区路灯坏了一个月",
        "key": key,
    }
    assert operator.post("/console/", form).status_code == 302
    again = operator.post("/console/", form, follow=True).content.decode()  # the answer was lost: sent again
    assert Ticket.objects.filter(requester_phone="13600003333").count() == 1
    assert "已登记过" in again and key not in again  # the next call gets a fresh key


def test_an_unsure_call_waits_and_the_dispatcher_sees_three_suggestions(people, trained, settings):  # noqa: F811
    settings.HOTLINE = {**settings.HOTLINE, "AUTO_DISPATCH_CONFIDENCE": 1.01}  # never sure enough
    matter, text = _example("1001")
    as_(people.operator).post(
        "/console/",
        {
            "requester_phone": "13600002222",
            "channel": "phone_12345",
            "kind": "help",
            "urgency": "normal",
            "content": text,
        },
    )
    ticket = Ticket.objects.get(requester_phone="13600002222")
    assert ticket.status == Status.REGISTERED
    page = as_(people.dispatcher).get(f"/tickets/{ticket.code}/").content.decode()
    # Every suggestion worth a look is listed (m5: none under the floor), the best one first.
    from hotline.dispatch.suggest import suggest

    shown = suggest(text).shown
    assert 'id="dispatch-suggestions"' in page and page.count("<li><b>") == len(shown) >= 1
    assert f' · {matter.code}"' in page  # the best matter is proposed in the matter picker


def test_the_ticket_page_only_reads_and_the_dispatch_remembers_what_the_machine_suggested(people, trained):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hotline.dispatch.models import DispatchCorrection, DispatchSuggestion
    from hotline.dispatch.suggest import suggest
    from hotline.orgs.models import Unit

    _matter, text = _example("1001")
    ticket = new_ticket(people.operator, content=text, address="湟中县鲁沙尔镇")  # the portal's way: nothing remembered
    made = suggest(ticket.content, ticket.address)
    assert made.best is not None and made.best.unit is not None
    dispatcher = as_(people.dispatcher)
    for _view in range(2):
        with CaptureQueriesContext(connection) as queries:
            page = dispatcher.get(f"/tickets/{ticket.code}/").content.decode()
        assert 'id="dispatch-suggestions"' in page
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        # The one write a view may make is the log of who saw the requester's name and phone (and
        # its row in the audit trail).
        assert writes and all(
            "personaldataaccess" in sql.lower() or "audit_auditevent" in sql.lower() for sql in writes
        ), writes
    assert not DispatchSuggestion.objects.filter(ticket=ticket).exists()
    # The dispatcher chooses another unit and matter: the suggestion shown and the correction are both kept.
    elsewhere = Unit.objects.filter(kind=Unit.Kind.CITY_DEPT, is_active=True).exclude(pk=made.best.unit.pk).first()
    other = Matter.objects.filter(is_leaf=True, is_active=True).exclude(pk=made.best.matter.pk).order_by("code").first()
    form = {"dispatch-matter": other.code, "dispatch-lead_unit": elsewhere.code, "dispatch-note": ""}
    assert dispatcher.post(f"/tickets/{ticket.code}/dispatch/", form).status_code == 302
    remembered = DispatchSuggestion.objects.get(ticket=ticket)
    assert (remembered.matter, remembered.unit, remembered.auto) == (made.best.matter, made.best.unit, False)
    correction = DispatchCorrection.objects.get(ticket=ticket)
    assert (correction.chosen_matter, correction.chosen_unit) == (other, elsewhere)
    assert (correction.suggested_matter, correction.suggested_unit) == (made.best.matter, made.best.unit)
    assert correction.text == ticket.content and correction.actor == people.dispatcher
    # Agreeing with the machine is no correction; a refused dispatch remembers nothing.
    agreed = new_ticket(people.operator, content=text, address="湟中县鲁沙尔镇", requester_phone="13900007777")
    form = {"dispatch-matter": made.best.matter.code, "dispatch-lead_unit": made.best.unit.code, "dispatch-note": ""}
    assert dispatcher.post(f"/tickets/{agreed.code}/dispatch/", form).status_code == 302
    assert DispatchSuggestion.objects.filter(ticket=agreed).exists()
    assert not DispatchCorrection.objects.filter(ticket=agreed).exists()
    refused = new_ticket(people.operator, content=text, address="湟中县鲁沙尔镇", requester_phone="13900008888")
    form["dispatch-co_units"] = [made.best.unit.code]  # the lead unit as its own co-unit: the service refuses
    assert dispatcher.post(f"/tickets/{refused.code}/dispatch/", form).status_code == 400
    assert Ticket.objects.get(pk=refused.pk).status == Status.REGISTERED
    assert not DispatchSuggestion.objects.filter(ticket=refused).exists()


@pytest.mark.clock
def test_the_console_warns_of_likely_repeats(people):
    # Yesterday on the test clock: a fixed date would fall out of the repeat window as the calendar moves on.
    earlier = new_ticket(people.operator, requester_phone="13912345678", when=timezone.now() - dt.timedelta(days=1))
    html = (
        as_(people.operator)
        .get("/insight/repeats/", {"requester_phone": "13912345678", "content": "小区门口占道经营", "address": ""})
        .content.decode()
    )
    assert earlier.code in html


@pytest.mark.clock
def test_the_pool_shows_colours_orders_and_findings_and_a_false_closure_reopens(people):
    from hotline.dispatch.services import dispatch_ticket
    from hotline.evaluation.services import record_revisit
    from hotline.handling.services import record_contact, reply, sign
    from hotline.supervision.orders import escalate
    from hotline.supervision.scan import scan_deadlines
    from hotline.tickets.tests.helpers import township_matter

    long_ago = timezone.now() - dt.timedelta(days=20)
    late = new_ticket(people.operator, when=long_ago, content="楼道里堆满杂物，一直没人管")
    dispatch_ticket(late, lead_unit=people.township, matter=township_matter(), at=long_ago)
    done = new_ticket(people.operator, when=long_ago, content="路灯不亮三天了")
    dispatch_ticket(done, lead_unit=people.township, matter=township_matter(), at=long_ago)
    sign(done, unit=people.township, at=long_ago)
    record_contact(done, unit=people.township, note="已电话联系诉求人", at=long_ago)
    reply(done, unit=people.township, result="已处理", at=long_ago + dt.timedelta(hours=1))
    record_revisit(done, contacted=True, solved=True, satisfaction="satisfied", at=long_ago + dt.timedelta(hours=2))
    now = timezone.now()
    scan_deadlines(now=now)
    escalate(now=now)
    supervisor = as_(people.supervisor)
    html = supervisor.get("/pool/").content.decode()
    assert late.code in html and "红色" in html
    assert "通报" in html or "督办" in html  # an order of some level was issued
    # The supervisor draws a batch and finds the "closed" ticket was not fixed at all.
    assert supervisor.post("/spot-checks/draw/").status_code == 302
    from hotline.supervision.models import SpotCheck

    check = SpotCheck.objects.get(ticket=done)
    assert supervisor.post(f"/spot-checks/{check.pk}/", {"finding": "false", "note": ""}).status_code == 302
    check.refresh_from_db()
    assert check.finding == ""  # a false closure needs a note saying what was found
    supervisor.post(f"/spot-checks/{check.pk}/", {"finding": "false", "note": "现场路灯仍不亮"})
    done.refresh_from_db()
    assert done.status == Status.REOPENED
    assert "现场路灯仍不亮" in supervisor.get("/pool/").content.decode()
    assert as_(people.street).get("/spot-checks/").status_code == 403


def test_the_dashboard_shows_zones_with_their_definitions(people, django_user_model):
    from hotline.orgs.models import Staff

    leader = django_user_model.objects.create_user("leader", password="pw-for-tests-only")
    Staff.objects.create(user=leader, role=Staff.Role.LEADER, unit=people.centre)
    html = as_(leader).get("/dashboard/").content.decode()
    assert 'id="zones"' in html and "蓝区" in html and "综合得分" in html
