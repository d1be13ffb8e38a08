"""The simulator drives the real services and leaves only what the platform would have written."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.db.models import Count
from django.utils import timezone

from hotline.demo.simulator import replies_for, simulate
from hotline.knowledge.models import Article
from hotline.orgs import areas
from hotline.tickets.models import Status, Ticket, TicketEvent


def test_a_small_simulation_covers_the_loop_and_keeps_every_ticket_consistent(ref):
    end = timezone.make_aware(dt.datetime(2026, 11, 20, 23, 59, 59))
    stats, _seconds = simulate(days=6, per_day=80, seed=7, end=end)
    assert stats.tickets == Ticket.objects.count() == 480
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.IN_PROGRESS, Status.ANSWERED, Status.REPLIED} <= statuses
    # every ticket's version equals its number of events, and the last event names its status
    counts = dict(TicketEvent.objects.values_list("ticket").annotate(n=Count("id")).values_list("ticket", "n"))
    for ticket in Ticket.objects.all():
        assert ticket.version == counts[ticket.pk]
        assert ticket.events.order_by("-seq").first().to_status == ticket.status
    assert Ticket.objects.filter(received_at__gt=end).count() == 0
    closed = Ticket.objects.filter(status=Status.CLOSED)
    assert all(t.closed_at <= end for t in closed)
    # M2: the place found at intake is kept. Every simulated address is a known road or estate;
    # only a bare name that two counties share (城关大街, 新庄村) is left unplaced.
    regions = list(Ticket.objects.values_list("region_id", flat=True))
    assert sum(1 for code in regions if areas.district_code_of(code)) >= 0.98 * len(regions)
    assert sum(1 for code in regions if areas.township_code_of(code)) >= 0.95 * len(regions)
    # M12 and m12: direct answers carry a matter, and a knowledge answer cites its article through
    # the service the console uses, so the articles' counts are the answers given with them.
    answered = Ticket.objects.filter(status=Status.ANSWERED)
    assert answered.exists() and not answered.filter(matter=None).exists()
    with_article = [e for e in TicketEvent.objects.filter(action="answer") if e.data.get("article")]
    assert len(with_article) > 0
    assert sum(Article.objects.values_list("cited", flat=True)) == len(with_article)
    # m13: a unit's reply is of its matter's kind: no repair crew for a school or pension question.
    replied = Ticket.objects.exclude(result="").exclude(status=Status.ANSWERED).select_related("matter")
    assert replied.exists()
    for ticket in replied:
        kinds = [re.escape(reply).replace(re.escape("{d}"), r"\d{2}月\d{2}日") for reply in replies_for(ticket.matter)]
        assert any(re.fullmatch(kind, ticket.result) for kind in kinds), (ticket.matter, ticket.result)
    assert not any("维修" in r for r in replied.filter(matter__code__startswith="08").values_list("result", flat=True))


@pytest.mark.clock
def test_the_command_prints_a_summary_line(ref):
    out = io.StringIO()
    call_command("simulate", "--days", "1", "--per-day", "40", "--seed", "5", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("simulated ") and " tickets in " in last
    assert "response " in last and "resolution " in last and "satisfaction " in last


@pytest.mark.clock
def test_the_demo_builds_and_prints_one_login_per_role(ref, catalogue_trained_once):
    from django.contrib.auth import authenticate

    from hotline.demo.personas import DEMO_PASSWORD

    out = io.StringIO()
    call_command("demo", "--days", "1", "--per-day", "20", "--no-serve", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text and DEMO_PASSWORD in text
    for username in ("operator", "dispatcher", "supervisor", "leader", "street", "housing", "admin"):
        assert f"  {username} " in text
        user = authenticate(RequestFactory().post("/login/"), username=username, password=DEMO_PASSWORD)
        assert user is not None and user.staff.role
    assert Ticket.objects.exists()
    again = io.StringIO()
    call_command("demo", "--no-serve", stdout=again)  # a second run keeps the history it has
    assert "already there" in again.getvalue()


def test_the_demo_supervision_step_leaves_a_pool_orders_and_findings(ref):
    from hotline.evaluation.selectors import unit_scores
    from hotline.demo.supervision import supervise_demo
    from hotline.supervision.models import SpotCheck, SupervisionOrder
    from hotline.supervision.selectors import pool_counts

    end = timezone.make_aware(dt.datetime(2026, 11, 20, 16, 0))
    simulate(days=8, per_day=60, seed=3, end=end)
    summary = supervise_demo(now=end, seed=3, say=lambda m: None)
    counts = pool_counts(_centre_viewer())
    assert (
        counts["red"] > 0
        and counts["green"] > 0
        and counts["total"] == counts["red"] + counts["yellow"] + counts["green"]
    )
    assert SupervisionOrder.objects.exists() and summary["messages"] >= SupervisionOrder.objects.count()
    assert SpotCheck.objects.exclude(finding="").count() == sum(summary["findings"].values()) > 0
    assert any(row["n"] for row in unit_scores("2026-11"))
    again = supervise_demo(now=end, seed=3, say=lambda m: None)  # idempotent: nothing new the second time
    assert again["orders"] == {k: 0 for k in summary["orders"]} and again["messages"] == 0


def _centre_viewer():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("boss", password="pw-for-tests-only")
