"""Supervision and evaluation at a year's scale: the deadline scan, the month's ranking, the pool.

A year of history (about 440,000 tickets, 1,200 a day) is written with bulk inserts — driving it
through the services would take hours and measure the simulator, not these reads. Rows are shaped
like the simulator's: most tickets closed with a revisit, the last two weeks' still open with
their deadlines computed on the working-day calendar, some overdue and escalated.

Run by ``python -m bench`` on PostgreSQL; prints one JSON line. The data stays in the database,
so a second run measures again without generating.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time

import django


def generate(n_days: int, per_day: int, end: dt.datetime) -> None:
    from django.db import connection
    from tqdm import tqdm

    from hotline.catalog.models import Matter
    from hotline.evaluation.models import Revisit
    from hotline.intake.models import Channel
    from hotline.orgs.models import Region, Unit
    from hotline.supervision.models import LEVEL_RANK, OrderLevel, SupervisionOrder
    from hotline.tickets.deadlines import compute_dues, refresh_states
    from hotline.tickets.models import DeadlineState, Status, Ticket
    from hotline.workcal.services import get_calendar

    rng = random.Random(2026)
    cal = get_calendar()
    channel = Channel.objects.get(code="phone_12345")
    matters = list(Matter.objects.filter(is_leaf=True, tier__isnull=False).values_list("pk", "tier"))
    townships = list(Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("pk", flat=True))
    units = list(Unit.objects.exclude(kind=Unit.Kind.CENTRE).values_list("pk", flat=True))
    temper = {u: rng.betavariate(2, 12) for u in units}
    replies = ["已处理。", "已安排人员现场核实并处理完毕，已告知诉求人。", "经核实已整改到位，诉求人表示认可。"]
    start_day = (end - dt.timedelta(days=n_days)).date()
    seq = 0
    with tqdm(total=n_days * per_day, unit="ticket", desc="generating a year") as bar:
        for offset in range(n_days):
            day = start_day + dt.timedelta(days=offset + 1)
            tickets, shapes = [], []
            for i in range(per_day):
                seq += 1
                received = dt.datetime.combine(day, dt.time(rng.randrange(7, 22), rng.randrange(60)), end.tzinfo)
                if received > end:
                    continue
                matter, tier = rng.choice(matters)
                unit = rng.choice(units)
                age = (end - received).days
                t = Ticket(
                    code=f"BX{day:%Y%m%d}{i:06d}",
                    channel=channel,
                    title="占道经营",
                    content="市民反映问题。",
                    address=f"某小区{rng.randrange(3000)}号",
                    region_id=rng.choice(townships),
                    matter_id=matter,
                    tier=tier,
                    lead_unit_id=unit,
                    received_at=received,
                    dispatched_at=received + dt.timedelta(minutes=20),
                    clock_started_at=received + dt.timedelta(minutes=20),
                    signed_at=received + dt.timedelta(hours=2),
                    contacted_at=received + dt.timedelta(hours=4),
                    version=6,
                    dispatch_count=1,
                )
                still_open = age < 15 and rng.random() < (15 - age) / 15 * 0.7
                if still_open:
                    t.status = Status.IN_PROGRESS
                    compute_dues(t, cal)
                    refresh_states(t, received + dt.timedelta(hours=5), cal)  # as the last event left them
                else:
                    late = rng.random() < temper[unit] * 0.3
                    t.replied_at = received + dt.timedelta(days=rng.uniform(0.2, (tier or 1) * (1.8 if late else 1.2)))
                    t.closed_at = t.replied_at + dt.timedelta(days=rng.uniform(0.1, 2))
                    t.status = Status.CLOSED if t.closed_at <= end else Status.REPLIED
                    if t.status == Status.REPLIED:
                        t.closed_at = None
                    t.result = rng.choice(replies)
                    # Closed history needs plausible figures, not the calendar: 7 days per 5 working days.
                    t.sign_due = t.contact_due = t.return_due = t.clock_started_at + dt.timedelta(days=1)
                    t.resolve_due = t.clock_started_at + dt.timedelta(days=max(tier, 1) * 1.4)
                    t.revisit_due = t.replied_at + dt.timedelta(days=4.2)
                    t.sign_state = t.contact_state = DeadlineState.MET
                    t.resolve_state = DeadlineState.MET if t.replied_at <= t.resolve_due else DeadlineState.MET_LATE
                    t.revisit_state = DeadlineState.MET if t.closed_at else DeadlineState.ON_TIME
                tickets.append(t)
                shapes.append(unit)
            Ticket.objects.bulk_create(tickets, batch_size=2000)
            revisits = []
            for t in tickets:
                if t.status != Status.CLOSED:
                    continue
                tm = temper[t.lead_unit_id]
                if rng.random() < 0.08:
                    revisits.append(
                        Revisit(ticket=t, lead_unit_id=t.lead_unit_id, outcome="unreachable", recorded_at=t.closed_at)
                    )
                    continue
                solved = rng.random() > 0.03 + tm * 0.2
                roll = rng.random()
                unhappy = 0.01 + tm * 0.1 + (0.3 if not solved else 0)
                satisfaction = "dissatisfied" if roll < unhappy else ("basic" if roll < unhappy + 0.05 else "satisfied")
                revisits.append(
                    Revisit(
                        ticket=t,
                        lead_unit_id=t.lead_unit_id,
                        contacted=rng.random() > 0.01 + tm * 0.05,
                        solved=solved,
                        satisfaction=satisfaction,
                        recorded_at=t.closed_at,
                    )
                )
            Revisit.objects.bulk_create(revisits, batch_size=2000)
            bar.update(per_day)
    # Orders for the open tickets already overdue, as the worker would have issued them.
    orders = [
        SupervisionOrder(
            ticket_id=pk,
            unit_id=unit,
            level=OrderLevel.NOTICE,
            rank=LEVEL_RANK[OrderLevel.NOTICE],
            due=due,
            issued_at=end,
        )
        for pk, unit, due in Ticket.objects.filter(status=Status.IN_PROGRESS, resolve_due__lt=end).values_list(
            "pk", "lead_unit_id", "resolve_due"
        )
    ]
    SupervisionOrder.objects.bulk_create(orders, batch_size=2000, ignore_conflicts=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(days: int, per_day: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from hotline.demo.reference import load_reference
    from hotline.evaluation.selectors import unit_scores
    from hotline.supervision import orders, scan, selectors
    from hotline.tickets.models import Status, Ticket

    call_command("migrate", verbosity=0)
    load_reference()
    end = timezone.make_aware(dt.datetime(2026, 11, 26, 18, 0))
    if Ticket.objects.filter(code__startswith="BX").count() < days * per_day * 0.9:
        Ticket.objects.filter(code__startswith="BX").delete()
        started = time.perf_counter()
        generate(days, per_day, end)
        print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    # A fresh copy of the open tickets' states, so the first scan has the day's work to do.
    total = Ticket.objects.count()
    running = Ticket.objects.filter(status__in=scan.RUNNING).count()
    scan.scan_deadlines(now=end)  # bring the states to the benchmark's moment (a no-op on a re-run)
    steady, again = timed(lambda: scan.scan_deadlines(now=end), repeat=3)
    # A day later many clocks have moved: measured inside a transaction that is rolled back, so the
    # stored data stays at ``end`` for the next run.
    with transaction.atomic():
        started = time.perf_counter()
        first = scan.scan_deadlines(now=end + dt.timedelta(days=1))
        first_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    started = time.perf_counter()
    escalated = orders.escalate(now=end)
    escalate_first = time.perf_counter() - started
    escalate_steady, _none = timed(lambda: orders.escalate(now=end), repeat=3)
    ranking, rows = timed(lambda: unit_scores("2026-10"))
    ranking_district, _rows = timed(lambda: unit_scores("2026-10", by="district"))
    viewer = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
        "bench-admin", password="bench-only-password"
    )
    page, first_page = timed(lambda: list(selectors.pool(viewer)[:50]))
    counts_time, counts = timed(lambda: selectors.pool_counts(viewer))
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "tickets": total,
                "running": running,
                "open": Ticket.objects.filter(status=Status.IN_PROGRESS).count(),
                "scan_first_s": first_seconds,
                "scan_first": first,
                "scan_steady_s": steady,
                "scan_steady": again,
                "escalate_first_s": escalate_first,
                "escalate_first": escalated,
                "escalate_steady_s": escalate_steady,
                "ranking_units": len(rows),
                "ranking_s": ranking,
                "ranking_district_s": ranking_district,
                "pool_page_s": page,
                "pool_page_rows": len(first_page),
                "pool_counts_s": counts_time,
                "pool_counts": counts,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 366, int(sys.argv[2]) if len(sys.argv) > 2 else 1200)
