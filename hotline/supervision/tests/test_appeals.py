"""申诉 appeals (issue 15, item 3): against a revisit, a dispatch or a spot-check finding, within the
window, accepted or rejected with a reason; every step an event; counted in the monthly report."""

import pytest
from django.core.exceptions import ValidationError

from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation.models import Revisit
from hotline.evaluation.selectors import three_rates
from hotline.evaluation.services import record_revisit
from hotline.handling import services as handling
from hotline.reports.figures import period_figures
from hotline.reports.periods import Kind
from hotline.supervision import spotchecks
from hotline.supervision.appeals import decide_appeal, file_appeal
from hotline.supervision.models import Accountability, Appeal, SpotCheck
from hotline.tickets.models import Status, Ticket, TicketEvent
from hotline.tickets.tests.helpers import at, new_ticket, township_matter
from hotline.tickets.transitions import TransitionError

NO = {"contacted": False, "solved": False, "satisfaction": "dissatisfied"}


def closed(p):
    ticket = new_ticket(p.operator)
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 2, 10))
    handling.reply(ticket, unit=p.township, result="已处理。", at=at(2026, 11, 3, 15))
    revisit = record_revisit(ticket, **NO, at=at(2026, 11, 4, 10))  # not actionable: closes
    return Ticket.objects.get(pk=ticket.pk), revisit


def test_an_accepted_appeal_takes_the_revisit_out_of_the_rates(people):
    ticket, revisit = closed(people)
    assert three_rates(Revisit.objects.all())["n"] == 1
    appeal = file_appeal(
        ticket,
        unit=people.township,
        kind="revisit",
        revisit=revisit,
        reason="群众诉求系恶意投诉，有录音为证",
        actor=people.street,
        at=at(2026, 11, 5, 10),
    )
    assert appeal.state == Appeal.State.PENDING
    decide_appeal(appeal, accept=True, note="录音属实", actor=people.supervisor, at=at(2026, 11, 6))
    assert Revisit.objects.get(pk=revisit.pk).outcome == Revisit.Outcome.APPEALED
    assert three_rates(Revisit.objects.all())["n"] == 0
    actions = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert "appeal" in actions and "decide_appeal" in actions


def test_a_rejected_appeal_changes_nothing_but_says_why(people):
    ticket, revisit = closed(people)
    appeal = file_appeal(
        ticket, unit=people.township, kind="revisit", revisit=revisit, reason="不服", at=at(2026, 11, 5)
    )
    decide_appeal(appeal, accept=False, note="无证据", actor=people.supervisor, at=at(2026, 11, 6))
    assert Appeal.objects.get().decision_note == "无证据"
    assert three_rates(Revisit.objects.all())["n"] == 1
    with pytest.raises(TransitionError):
        decide_appeal(appeal, accept=True, note="改主意", at=at(2026, 11, 7))  # decided once


def test_an_appeal_after_its_window_is_refused(people):
    ticket, revisit = closed(people)  # revisit Wed 11-04 10:00; 3 working days: Mon 11-09 10:00
    with pytest.raises(ValidationError, match="window closed"):
        file_appeal(
            ticket, unit=people.township, kind="revisit", revisit=revisit, reason="晚了", at=at(2026, 11, 9, 11)
        )
    assert not Appeal.objects.exists()


def test_refused_appeals(people):
    ticket, revisit = closed(people)
    with pytest.raises(ValidationError):
        file_appeal(ticket, unit=people.township, kind="revisit", revisit=revisit, reason=" ", at=at(2026, 11, 5))
    with pytest.raises(ValidationError):  # another unit's revisit
        file_appeal(ticket, unit=people.other_township, kind="revisit", revisit=revisit, reason="x", at=at(2026, 11, 5))
    with pytest.raises(ValidationError):
        file_appeal(ticket, unit=people.township, kind="mood", reason="x", at=at(2026, 11, 5))
    with pytest.raises(ValidationError):  # the ticket is closed: no dispatch to appeal
        file_appeal(ticket, unit=people.township, kind="dispatch", reason="不归我管", at=at(2026, 11, 5))
    file_appeal(ticket, unit=people.township, kind="revisit", revisit=revisit, reason="有录音", at=at(2026, 11, 5))
    with pytest.raises(ValidationError, match="already waiting"):
        file_appeal(
            ticket, unit=people.township, kind="revisit", revisit=revisit, reason="再来", at=at(2026, 11, 5, 11)
        )
    assert Appeal.objects.count() == 1
    with pytest.raises(ValidationError):
        decide_appeal(Appeal.objects.get(), accept=True, note="")


def test_an_accepted_dispatch_appeal_sends_the_ticket_back_to_the_queue(people):
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    appeal = file_appeal(
        ticket, unit=people.township, kind="dispatch", reason="该路段属城管局管辖", at=at(2026, 11, 3, 10)
    )
    decide_appeal(appeal, accept=True, note="属实，重新派单", actor=people.supervisor, at=at(2026, 11, 3, 11))
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RETURNED


def test_an_accepted_spot_check_appeal_withdraws_the_finding(people):
    ticket, revisit = closed(people)
    check = SpotCheck.objects.create(ticket=ticket, unit=people.township, batch="2026-11-A", drawn_at=at(2026, 11, 5))
    spotchecks.record_finding(
        check, finding="coerced", note="群众称被要求给满意", actor=people.supervisor, at=at(2026, 11, 5, 15)
    )
    assert Accountability.objects.count() == 1 and three_rates(Revisit.objects.all())["n"] == 0
    ticket = Ticket.objects.get(pk=ticket.pk)  # the finding moved it on
    appeal = file_appeal(
        ticket,
        unit=people.township,
        kind="spot_check",
        spot_check=SpotCheck.objects.get(pk=check.pk),
        reason="回访录音证明群众自愿评价",
        at=at(2026, 11, 6),
    )
    decide_appeal(appeal, accept=True, note="录音证明", actor=people.supervisor, at=at(2026, 11, 9))
    assert not Accountability.objects.exists()
    assert three_rates(Revisit.objects.all())["n"] == 1


def test_the_monthly_report_counts_appeals_per_unit(people):
    ticket, revisit = closed(people)
    appeal = file_appeal(
        ticket, unit=people.township, kind="revisit", revisit=revisit, reason="有录音", at=at(2026, 11, 5)
    )
    decide_appeal(appeal, accept=False, note="无效", at=at(2026, 11, 6))
    f = period_figures(Kind.MONTHLY, at(2026, 11, 10).date(), now=at(2026, 12, 1))
    assert f.appeals == [(people.township.name, 1, 0, 1, 0)]


def test_the_ticket_page_files_and_decides(people, client, clock):
    clock.move_to(at(2026, 11, 5, 10))
    ticket, revisit = closed(people)
    client.force_login(people.street)
    response = client.post(f"/tickets/{ticket.code}/appeal/", {"appeal-kind": "revisit", "appeal-reason": "有录音为证"})
    assert response.status_code == 302 and Appeal.objects.get().revisit_id == revisit.pk
    client.force_login(people.supervisor)
    response = client.post(
        f"/tickets/{ticket.code}/decide-appeal/", {"decide-appeal-accept": "1", "decide-appeal-note": "属实"}
    )
    assert response.status_code == 302 and Appeal.objects.get().state == Appeal.State.ACCEPTED
    client.force_login(people.street)  # a unit cannot decide
    assert client.post(f"/tickets/{ticket.code}/decide-appeal/", {"decide-appeal-accept": "1"}).status_code == 403
