"""Spot checks: a risk-ordered draw, findings recorded once, a false closure reopening the ticket."""

import io

import pytest
from django.core.exceptions import ValidationError
from docx import Document

from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation.services import record_revisit
from hotline.handling import services as handling
from hotline.supervision import notices, spotchecks
from hotline.supervision.models import Accountability, SpotCheck
from hotline.tickets.models import Status, Ticket, TicketEvent
from hotline.tickets.tests.helpers import at, new_ticket, township_matter
from hotline.tickets.transitions import TransitionError

LONG = "已安排工作人员到现场核实，清理了占道摊点，设置了巡查点，并电话告知诉求人，诉求人表示认可。"


def closed(p, *, result=LONG, replied=None, day=2, address="城东区东关大街街道东关大街12号"):
    ticket = new_ticket(p.operator, when=at(2026, 11, day, 9), address=address)
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, day, 9, 10))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, day, 9, 30))
    handling.reply(ticket, unit=p.township, result=result, at=replied or at(2026, 11, day, 15))
    record_revisit(ticket, contacted=True, solved=True, satisfaction="satisfied", at=at(2026, 11, 13, 10))
    assert ticket.status == Status.CLOSED
    return ticket


@pytest.fixture
def pool(people):
    p = people
    p.fine = [closed(p, day=d, address=f"城东区东关大街街道{d}号院") for d in (2, 3, 4)]
    p.short = closed(p, result="已处理。", day=5, address="城东区东关大街街道五号院")
    p.last_minute = closed(p, replied=at(2026, 11, 11, 9, 0), day=2, address="城东区东关大街街道六号院")
    return p


def test_the_draw_takes_the_riskiest_first_and_is_repeatable(pool):
    since, until = at(2026, 11, 1), at(2026, 11, 30)
    checks = spotchecks.draw(since=since, until=until, size=2, batch="2026-11-A", random_share=0, at=at(2026, 11, 20))
    assert {c.ticket_id for c in checks} == {pool.short.pk, pool.last_minute.pk}
    assert {tuple(c.reasons) for c in checks} == {("short_reply",), ("last_minute",)}
    again = spotchecks.draw(since=since, until=until, size=5, batch="2026-11-A", random_share=0)
    assert {c.pk for c in again} == {c.pk for c in checks}  # the batch exists: the first draw stands


def test_the_random_share_comes_from_the_low_risk_rest(pool):
    checks = spotchecks.draw(since=at(2026, 11, 1), until=at(2026, 11, 30), size=4, batch="B", random_share=0.5, seed=7)
    assert len(checks) == 4 and sum(c.by_risk for c in checks) == 2
    assert {c.ticket_id for c in checks if c.by_risk} == {pool.short.pk, pool.last_minute.pk}


@pytest.mark.parametrize(
    "bad", [{"batch": ""}, {"batch": "x" * 41}, {"size": 0}, {"size": 10**6}, {"random_share": 1.5}]
)
def test_a_malformed_draw_is_refused_and_draws_nothing(pool, bad):
    args = {"since": at(2026, 11, 1), "until": at(2026, 11, 30), "size": 2, "batch": "C", **bad}
    with pytest.raises(ValidationError):
        spotchecks.draw(**args)
    assert not SpotCheck.objects.exists()


def test_a_false_closure_reopens_the_ticket_and_names_the_unit(pool):
    check = spotchecks.draw(since=at(2026, 11, 1), until=at(2026, 11, 30), size=1, batch="D", random_share=0)[0]
    ticket = Ticket.objects.get(pk=check.ticket_id)
    redo = ticket.redo_count
    spotchecks.record_finding(check, finding="false", note="现场仍有23处隐患未整改", at=at(2026, 11, 21))
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED and ticket.redo_count == redo + 1
    assert ticket.lead_unit_id == pool.township.pk and ticket.resolve_due > at(2026, 11, 21)
    assert list(ticket.revisits.values_list("outcome", flat=True)) == ["voided"]  # out of the rates
    record = Accountability.objects.get(ticket=ticket)
    assert record.kind == Accountability.Kind.FALSE_CLOSURE and record.unit_id == pool.township.pk
    assert TicketEvent.objects.filter(ticket=ticket, action="reopen").last().data["finding"] == "false"
    with pytest.raises(TransitionError):
        spotchecks.record_finding(check, finding="true")  # recorded once
    assert Accountability.objects.count() == 1


def test_true_and_coerced_findings_leave_the_ticket_closed(pool):
    checks = spotchecks.draw(since=at(2026, 11, 1), until=at(2026, 11, 30), size=2, batch="E", random_share=0)
    spotchecks.record_finding(checks[0], finding="true", at=at(2026, 11, 21))
    spotchecks.record_finding(checks[1], finding="coerced", note="诉求人称被要求打满意", at=at(2026, 11, 21))
    assert Ticket.objects.filter(pk__in=[c.ticket_id for c in checks], status=Status.CLOSED).count() == 2
    assert list(Accountability.objects.values_list("kind", flat=True)) == [Accountability.Kind.COERCED]
    assert TicketEvent.objects.filter(action="spot_check").count() == 2


@pytest.mark.parametrize("finding,note", [("maybe", "x"), ("false", ""), ("coerced", "   ")])
def test_a_bad_finding_is_refused_and_changes_nothing(pool, finding, note):
    check = spotchecks.draw(since=at(2026, 11, 1), until=at(2026, 11, 30), size=1, batch="F", random_share=0)[0]
    with pytest.raises(ValidationError):
        spotchecks.record_finding(check, finding=finding, note=note)
    check.refresh_from_db()
    assert check.finding == "" and not Accountability.objects.exists()
    assert Ticket.objects.get(pk=check.ticket_id).status == Status.CLOSED


def test_the_word_notice_names_the_unit_and_lists_the_findings(pool):
    checks = spotchecks.draw(since=at(2026, 11, 1), until=at(2026, 11, 30), size=2, batch="G", random_share=0)
    spotchecks.record_finding(checks[0], finding="false", note="现场仍有23处隐患", at=at(2026, 11, 21))
    data = notices.spot_check_notice(SpotCheck.objects.filter(batch="G"), batch="G", at=at(2026, 11, 22))
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "G" in text and str(pool.township) in text and "2026-11-22" in text
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "现场仍有23处隐患" in cells and Ticket.objects.get(pk=checks[0].ticket_id).code in cells


def test_notices_download_for_those_who_may_see_them(pool, client):
    from hotline.supervision.models import SupervisionOrder
    from hotline.supervision.orders import escalate

    spotchecks.draw(since=at(2026, 11, 1), until=at(2026, 11, 30), size=2, batch="H", random_share=0)
    client.force_login(pool.supervisor)
    response = client.get("/s/notices/spot-checks/H.docx")
    assert response.status_code == 200 and response["Content-Type"].endswith("wordprocessingml.document")
    assert Document(io.BytesIO(response.content)).paragraphs
    assert client.get("/s/notices/spot-checks/nope.docx").status_code == 404
    ticket = new_ticket(pool.operator, when=at(2026, 11, 2, 9), address="城东区东关大街街道七号院")
    dispatch_ticket(ticket, lead_unit=pool.township, matter=township_matter(), at=at(2026, 11, 2, 9))
    escalate(now=at(2026, 11, 12, 9))
    order = SupervisionOrder.objects.get(ticket=ticket)
    assert client.get(f"/s/notices/orders/{order.pk}.docx").status_code == 200
    client.force_login(pool.outsider)
    assert client.get(f"/s/notices/orders/{order.pk}.docx").status_code == 403
    assert client.get("/s/notices/spot-checks/H.docx").status_code == 404  # not their unit's checks
    client.logout()
    assert client.get(f"/s/notices/orders/{order.pk}.docx").status_code == 302  # to the login page


def test_the_spotcheck_command_draws_and_exports(pool, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.utils import timezone

    Ticket.objects.update(closed_at=timezone.now() - __import__("datetime").timedelta(days=1))
    out = io.StringIO()
    call_command("spotcheck", "--batch", "W48", "--size", "3", stdout=out)
    assert "3 tickets in batch W48" in out.getvalue() and "short_reply" in out.getvalue()
    target = tmp_path / "notice.docx"
    call_command("spotcheck", "--batch", "W48", "--notice", str(target), stdout=io.StringIO())
    assert Document(str(target)).paragraphs
    with pytest.raises(CommandError):
        call_command("spotcheck", "--batch", "nope", "--notice", str(target))
    with pytest.raises(CommandError):
        call_command("spotcheck", "--batch", "W49", "--size", "0")
