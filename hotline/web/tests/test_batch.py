"""Batch actions: each item goes through the same service as a single action, the report says per
item what happened, one refused item does not undo or hide the others, and a bad selection
(empty, duplicated, someone else's, too large, malformed) changes nothing and says why."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hotline.dispatch.services import dispatch_ticket
from hotline.handling import services as handling
from hotline.supervision import spotchecks
from hotline.supervision.models import SpotCheck
from hotline.supervision.tests.test_spotchecks import closed
from hotline.tickets.models import Extension, Status, Ticket, TicketEvent
from hotline.tickets.tests.helpers import at, new_ticket, township_matter
from hotline.web.views.batch import MAX_BATCH

# Their tickets are received on fixed dates (tickets.tests.helpers.new_ticket): one pinned day.
pytestmark = [pytest.mark.django_db, pytest.mark.clock(day="2026-12-09")]


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(html: str) -> list[tuple[str, str, str]]:
    """(item, 1|0, what happened) per row of the batch report."""
    found = re.findall(r'<tr data-ok="([01])"><td>(.*?)</td><td[^>]*>.*?</td><td>(.*?)</td></tr>', html)
    return [(item, ok, said) for ok, item, said in found]


def events() -> int:
    return TicketEvent.objects.count()


@pytest.fixture
def to_sign(people):
    tickets = [new_ticket(people.operator, requester_phone=f"1390000000{n}") for n in range(3)]
    for t in tickets:
        dispatch_ticket(t, lead_unit=people.township, matter=township_matter())
    return tickets


def test_signing_several_tickets_reports_each_and_a_refused_one_hides_nothing(people, to_sign):
    a, b, c = to_sign
    handling.sign(b, unit=people.township)  # signed meanwhile in another window
    theirs = new_ticket(people.operator, requester_phone="13900000009")
    dispatch_ticket(theirs, lead_unit=people.other_township, matter=township_matter())
    response = as_(people.street).post(
        "/inbox/sign/", {"pick": [a.code, b.code, a.code, theirs.code, "<script>x</script>", c.code]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    report = rows(html)
    assert [(item, ok) for item, ok, _ in report] == [
        (a.code, "1"),
        (b.code, "0"),
        (a.code, "0"),
        (theirs.code, "0"),
        ("&lt;script&gt;x&lt;/script&gt;", "0"),
        (c.code, "1"),
    ]
    assert "重复勾选" in report[2][2] and "不在您可处理的范围内" in report[3][2]
    assert "<script>x" not in html  # echoed escaped
    assert Ticket.objects.get(pk=a.pk).status == Ticket.objects.get(pk=c.pk).status == Status.IN_PROGRESS
    # Another unit's ticket is not touched, and its existence is not confirmed (same words as nonsense).
    assert Ticket.objects.get(pk=theirs.pk).status == Status.DISPATCHED
    assert report[3][2] == report[4][2]
    assert TicketEvent.objects.filter(action="sign").count() == 3  # b once before, a and c now


@pytest.mark.parametrize(
    "picks, said",
    [
        ([], "未勾选任何事项"),
        (["  ", ""], "未勾选任何事项"),
        ([f"X{n}" for n in range(MAX_BATCH + 1)], "一次最多处理"),
    ],
)
def test_an_empty_or_huge_selection_changes_nothing_and_says_why(people, to_sign, picks, said):
    before = events()
    response = as_(people.street).post("/inbox/sign/", {"pick": picks})
    assert response.status_code == 400 and said in response.content.decode()
    assert events() == before


def test_only_the_units_own_people_may_sign_in_a_batch(people, to_sign):
    before = events()
    assert as_(people.dispatcher).post("/inbox/sign/", {"pick": [to_sign[0].code]}).status_code == 403
    assert as_(people.outsider).post("/inbox/sign/", {"pick": [to_sign[0].code]}).status_code == 200
    assert events() == before  # the outsider's report says not found; nothing signed
    assert Client().get("/inbox/sign/").status_code == 302  # to the login page


def test_a_group_of_similar_requests_goes_to_one_unit(people):
    group = [
        new_ticket(people.operator, requester_phone=f"1380000000{n}", content="东关大街夜市油烟扰民") for n in range(3)
    ]
    answered = group[2]
    from hotline.intake.services import invalidate_ticket

    invalidate_ticket(answered, reason="重复来电，已撤回")  # leaves the queue meanwhile
    matter = township_matter()
    response = as_(people.dispatcher).post(
        "/queue/dispatch/",
        {
            "pick": [t.code for t in group],
            "batch-matter": matter.code,
            "batch-lead_unit": people.township.code,
            "batch-note": "同一夜市，请一并处置",
        },
    )
    assert response.status_code == 200
    report = rows(response.content.decode())
    assert [ok for _, ok, _ in report] == ["1", "1", "0"]
    for t in group[:2]:
        t.refresh_from_db()
        assert t.status == Status.DISPATCHED and t.lead_unit == people.township and t.matter == matter
    assert Ticket.objects.get(pk=answered.pk).status == Status.INVALID


def test_a_batch_dispatch_without_a_unit_or_matter_changes_nothing(people):
    tickets = [new_ticket(people.operator, requester_phone=f"1380000000{n}") for n in range(2)]
    before = events()
    response = as_(people.dispatcher).post(
        "/queue/dispatch/", {"pick": [t.code for t in tickets], "batch-lead_unit": "NO-SUCH-UNIT"}
    )
    assert response.status_code == 400 and "未作任何更改" in response.content.decode()
    assert events() == before and not Ticket.objects.exclude(status=Status.REGISTERED).exists()


def test_several_extension_requests_are_decided_at_once(people, to_sign):
    extensions = []
    for t in to_sign:
        handling.sign(t, unit=people.township)
        handling.request_extension(t, unit=people.township, days=3, reason="需协调管网施工单位")
        extensions.append(Extension.objects.get(ticket=t, state=Extension.State.PENDING))
    first, second, third = extensions
    handling.decide_extension(third, approve=False, note="先办")  # decided meanwhile
    response = as_(people.dispatcher).post(
        "/extensions/decide/",
        {"pick": [str(first.pk), str(second.pk), str(third.pk), "99999", "1e3", str(first.pk)], "approve": "1"},
    )
    report = rows(response.content.decode())
    assert [ok for _, ok, _ in report] == ["1", "1", "0", "0", "0", "0"]
    assert [Extension.objects.get(pk=e.pk).state for e in extensions] == ["approved", "approved", "refused"]
    # The unit's resolution deadline moved by the approved days, as for a single decision.
    assert TicketEvent.objects.filter(action="approve_extension").count() == 2


def test_an_extension_batch_without_a_decision_changes_nothing(people, to_sign):
    t = to_sign[0]
    handling.sign(t, unit=people.township)
    handling.request_extension(t, unit=people.township, days=3, reason="需协调")
    pk = Extension.objects.get(ticket=t).pk
    response = as_(people.dispatcher).post("/extensions/decide/", {"pick": [str(pk)], "approve": "maybe"})
    assert response.status_code == 400
    assert Extension.objects.get(pk=pk).state == Extension.State.PENDING
    assert as_(people.street).post("/extensions/decide/", {"pick": [str(pk)], "approve": "1"}).status_code == 403


def test_one_finding_for_several_spot_checks(people):
    for d in (2, 3, 4):
        closed(people, day=d, address=f"城东区东关大街街道{d}号院")
    checks = spotchecks.draw(since=at(2026, 11, 1), until=at(2026, 11, 30), size=3, batch="B1", random_share=0)
    done = checks[2]
    spotchecks.record_finding(done, finding="true")
    ids = [str(c.pk) for c in checks]
    bad = as_(people.supervisor).post("/spot-checks/record/", {"pick": ids, "finding": "false"})
    # A false closure needs a note: every item says so and nothing is recorded.
    assert [ok for _, ok, _ in rows(bad.content.decode())] == ["0", "0", "0"]
    assert SpotCheck.objects.filter(finding="").count() == 2
    good = as_(people.supervisor).post("/spot-checks/record/", {"pick": ids, "finding": "true", "note": "现场已整改"})
    assert [ok for _, ok, _ in rows(good.content.decode())] == ["1", "1", "0"]
    assert not SpotCheck.objects.filter(finding="").exists()
    junk = as_(people.supervisor).post("/spot-checks/record/", {"pick": ids, "finding": "nonsense"})
    assert junk.status_code == 400


def test_the_lists_offer_the_batch_forms(people, to_sign):
    assert 'action="/inbox/sign/"' in as_(people.street).get("/inbox/").content.decode()
    new_ticket(people.operator, requester_phone="13700000000")
    queue = as_(people.dispatcher).get("/queue/").content.decode()
    assert 'action="/queue/dispatch/"' in queue and 'name="pick"' in queue


def test_the_queue_finds_similar_requests_by_words(people):
    market = [new_ticket(people.operator, requester_phone=f"1370000000{n}", title="东关夜市油烟扰民") for n in range(2)]
    other = new_ticket(people.operator, requester_phone="13700000009", title="八一路路灯不亮")
    page = as_(people.dispatcher).get("/queue/", {"q": "夜市"}).content.decode()
    assert all(t.code in page for t in market) and other.code not in page
    hostile = as_(people.dispatcher).get("/queue/", {"q": "%' OR 1=1 --" + "x" * 500})
    assert hostile.status_code == 200 and other.code not in hostile.content.decode()
