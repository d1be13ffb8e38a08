"""The worker's jobs: deadline states move with time, each order and message happens once."""

import json

import pytest
from django.core.management import call_command

from hotline.dispatch.services import dispatch_ticket
from hotline.handling import services as handling
from hotline.outbox.models import Delivery
from hotline.supervision import orders, scan
from hotline.supervision.models import Accountability, OrderLevel, SupervisionOrder
from hotline.worker import schedule as jobs
from hotline.worker.models import JobRun
from hotline.tickets.models import DeadlineState, Status, Ticket, TicketEvent
from hotline.tickets.tests.helpers import at, new_ticket, township_matter


@pytest.fixture
def outbox(tmp_path, settings):
    settings.OUTBOX = {**settings.OUTBOX, "FILE": tmp_path / "outbox.jsonl"}
    return tmp_path / "outbox.jsonl"


def dispatched(p, when=None):
    ticket = new_ticket(p.operator, when=when)
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=when or at(2026, 11, 2, 9))
    return ticket


def test_scan_moves_states_with_time_and_twice_changes_nothing(people):
    ticket = dispatched(people)  # resolution due Wed 2026-11-11 09:00
    handling.sign(ticket, unit=people.township, at=at(2026, 11, 2, 10))
    assert ticket.resolve_state == DeadlineState.ON_TIME
    assert scan.scan_deadlines(now=at(2026, 11, 4)) == {"scanned": 1, "changed": 1}  # contact now overdue
    assert scan.scan_deadlines(now=at(2026, 11, 10, 16))["changed"] == 1  # < 20% left: warning
    assert Ticket.objects.get(pk=ticket.pk).resolve_state == DeadlineState.WARNING
    assert scan.scan_deadlines(now=at(2026, 11, 11, 9, 1))["changed"] == 1
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.resolve_state == DeadlineState.OVERDUE and fresh.version == ticket.version  # derived, no event
    assert scan.scan_deadlines(now=at(2026, 11, 11, 9, 1))["changed"] == 0


def test_scan_leaves_a_ticket_someone_changed_meanwhile(people):
    ticket = dispatched(people)
    stale = Ticket.objects.get(pk=ticket.pk)
    handling.sign(ticket, unit=people.township, at=at(2026, 11, 2, 10))
    handling.reply(ticket, unit=people.township, result="已处理", at=at(2026, 11, 3))
    # A scan that read the ticket before the reply must not paint it red afterwards.
    assert scan._write([(ticket.pk, stale.version, {"resolve_state": DeadlineState.OVERDUE})]) == 0
    assert Ticket.objects.get(pk=ticket.pk).resolve_state == DeadlineState.MET
    # With the current version it writes only the fields it names.
    assert scan._write([(ticket.pk, ticket.version, {"sign_state": DeadlineState.MET_LATE})]) == 1
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.sign_state == DeadlineState.MET_LATE and fresh.resolve_state == DeadlineState.MET


def test_working_day_warning_rule(people, settings):
    settings.HOTLINE = {**settings.HOTLINE, "WARNING_SHARE": 0.0, "WARNING_WORKING_DAYS": 1}
    ticket = dispatched(people)
    scan.scan_deadlines(now=at(2026, 11, 10, 8, 59))
    assert Ticket.objects.get(pk=ticket.pk).resolve_state == DeadlineState.ON_TIME
    scan.scan_deadlines(now=at(2026, 11, 10, 9, 0))
    assert Ticket.objects.get(pk=ticket.pk).resolve_state == DeadlineState.WARNING


def test_the_ladder_fires_each_level_once(people, outbox):
    ticket = dispatched(people)
    assert orders.escalate(now=at(2026, 11, 9, 9)) == {"reminder": 0, "notice": 0, "public": 0}
    assert orders.escalate(now=at(2026, 11, 10, 9))["reminder"] == 1  # one working day before
    assert orders.escalate(now=at(2026, 11, 10, 10))["reminder"] == 0  # a second run: nothing new
    assert orders.escalate(now=at(2026, 11, 12, 8))["notice"] == 0
    assert orders.escalate(now=at(2026, 11, 12, 9))["notice"] == 1  # the working day after
    assert orders.escalate(now=at(2026, 11, 16, 9)) == {"reminder": 0, "notice": 0, "public": 1}
    levels = list(SupervisionOrder.objects.filter(ticket=ticket).order_by("issued_at").values_list("level", flat=True))
    assert levels == [OrderLevel.REMINDER, OrderLevel.NOTICE, OrderLevel.PUBLIC]
    assert Accountability.objects.filter(ticket=ticket, kind=Accountability.Kind.PUBLIC_NOTICE).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, action="supervise").count() == 3
    # reminder: the unit; notice: unit and parent (if any); public: + the centre
    keys = set(Delivery.objects.filter(ticket=ticket).values_list("key", flat=True))
    assert len(keys) == Delivery.objects.filter(ticket=ticket).count() >= 3
    assert Ticket.objects.get(pk=ticket.pk).status == Status.DISPATCHED


def test_an_extension_gives_a_new_deadline_and_a_new_reminder(people, outbox):
    ticket = dispatched(people)
    handling.sign(ticket, unit=people.township, at=at(2026, 11, 2, 10))
    orders.escalate(now=at(2026, 11, 10, 9))
    ticket = Ticket.objects.get(pk=ticket.pk)  # the order wrote an event: the unit reloads
    ext = handling.request_extension(ticket, unit=people.township, days=2, reason="等待检测", at=at(2026, 11, 10, 10))
    handling.decide_extension(ext, approve=True, at=at(2026, 11, 10, 11))
    assert orders.escalate(now=at(2026, 11, 10, 12))["reminder"] == 0  # new deadline 11-13 is 2 days off
    assert orders.escalate(now=at(2026, 11, 12, 9))["reminder"] == 1
    assert SupervisionOrder.objects.filter(ticket=ticket, level=OrderLevel.REMINDER).count() == 2


def test_worker_once_twice_sends_one_message_per_order_and_restart_loses_nothing(people, outbox):
    ticket = dispatched(people)
    call_command("worker", "--once", "--now", "2026-11-10T09:30:00")
    sent = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert len(sent) == 1 and ticket.code in sent[0]["body"]
    call_command("worker", "--once", "--now", "2026-11-10T09:31:00")
    assert len(outbox.read_text(encoding="utf-8").splitlines()) == 1
    assert JobRun.objects.get(name="escalate").runs == 2
    # A stopped worker: orders issued but nothing delivered yet. The next start sends what waits.
    jobs.run_job("escalate", now=at(2026, 11, 12, 9, 30))
    assert Delivery.objects.filter(state=Delivery.State.PENDING).count() >= 1
    call_command("worker", "--once", "--job", "deliver", "--now", "2026-11-12T09:31:00")
    assert not Delivery.objects.filter(state=Delivery.State.PENDING).exists()
    assert len(outbox.read_text(encoding="utf-8").splitlines()) >= 2


def test_due_jobs_wait_for_their_interval(people, outbox):
    assert set(jobs.tick(now=at(2026, 11, 10, 9))) == {j.name for j in jobs.jobs()}
    assert jobs.tick(now=at(2026, 11, 10, 9, 0)) == {}
    assert set(jobs.tick(now=at(2026, 11, 10, 9, 5))) == {"deadline_scan", "escalate", "webhooks", "deliver"}


def test_a_failing_job_is_recorded_and_the_others_run(people, outbox, monkeypatch):
    def broken(now):
        raise RuntimeError("disk full")

    scan_job = jobs.get("deadline_scan")
    monkeypatch.setitem(
        jobs._JOBS, "deadline_scan", jobs.Job("deadline_scan", scan_job.every, broken, "", scan_job.order)
    )
    result = jobs.tick(now=at(2026, 11, 10, 9), force=True)
    assert result["deadline_scan"] == {"error": "disk full"} and "deliver" in result
    assert "disk full" in JobRun.objects.get(name="deadline_scan").last_error


def test_repeat_complaints_about_one_place_escalate_once(people, outbox):
    for day in (2, 3, 4):
        dispatched(people, when=at(2026, 11, day, 9))
    assert orders.repeat_complaints(now=at(2026, 11, 4, 12)) == {"repeat": 1}
    assert orders.repeat_complaints(now=at(2026, 11, 4, 13)) == {"repeat": 0}
    order = SupervisionOrder.objects.get(level=OrderLevel.REPEAT)
    assert order.ticket.received_at == at(2026, 11, 4, 9)


def test_worker_refuses_a_malformed_time(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("worker", "--once", "--now", "yesterday")


def test_a_misspelt_level_is_an_error(db, settings):  # the ladder is read from the dated policy rows
    settings.SUPERVISION = {**settings.SUPERVISION, "LEVELS": [{"level": "shout", "offset_days": 1, "to": ["unit"]}]}
    with pytest.raises(ValueError, match="shout"):
        orders.levels()


def test_an_order_exports_as_a_word_document(people, outbox):
    import io

    from docx import Document

    from hotline.supervision.notices import order_notice

    ticket = dispatched(people)
    orders.escalate(now=at(2026, 11, 12, 9))
    order = SupervisionOrder.objects.get(ticket=ticket, level=OrderLevel.NOTICE)
    doc = Document(io.BytesIO(order_notice(order)))
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert ticket.code in cells and "2026-11-11 09:00" in cells


def test_one_place_however_the_caller_puts_it(people):
    from hotline.orgs.places import place_key

    assert place_key("城东区东关大街街道东关大街12号") == place_key("东关大街3号") == "东关大街"
    assert place_key("") == "" and place_key("   ") == ""
    assert place_key("城东区" * 1000 + "东关大街") == "东关大街"


def test_the_fast_scan_agrees_with_a_full_recompute(people):
    tickets = [dispatched(people, when=at(2026, 11, d, 9)) for d in (2, 3, 4, 5)]
    handling.sign(tickets[0], unit=people.township, at=at(2026, 11, 2, 10))
    handling.reply(tickets[0], unit=people.township, result="已处理", at=at(2026, 11, 4))
    handling.sign(tickets[1], unit=people.township, at=at(2026, 11, 3, 10))
    for moment in (at(2026, 11, 4, 12), at(2026, 11, 9, 10), at(2026, 11, 11, 10), at(2026, 11, 20)):
        scan.scan_deadlines(now=moment)
        assert scan.scan_deadlines(now=moment, full=True) == {"scanned": 4, "changed": 0}
