"""Insight benchmarks: the repeat check against 90 days of 100,000 tickets, hot-issue clustering of
the TipDM file (4,326 messages) and of 100,000 tickets from the database.

Run by ``python -m bench`` in whatever database the settings name; prints one JSON line. The
100,000 tickets are synthetic (catalogue examples at gazetteer places, like the simulator's) and
are bulk-inserted: the benchmark measures the reads, not intake.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
VOTES = ROOT.parent / "shared" / "datasets" / "tipdm2020c" / "messages_with_votes.csv"


def make_tickets(n: int, now: dt.datetime) -> None:
    from tqdm import tqdm

    from hotline.catalog.models import Matter
    from hotline.intake.models import Channel
    from hotline.orgs.models import Region
    from hotline.tabular import package_table
    from hotline.tickets.models import Status, Ticket

    rng = random.Random(3)
    matters = list(Matter.objects.filter(is_leaf=True))
    regions = {r.code: r for r in Region.objects.filter(level="township").select_related("parent")}
    places = [
        (regions[row["township_code"]], row["name"])
        for row in package_table("orgs", "places.csv", required=["township_code", "name"])
        if row["township_code"] in regions
    ]
    channel = Channel.objects.get(code="phone_12345")
    phones = [f"139{rng.randrange(10**8):08d}" for _ in range(n // 3)]
    batch = []
    for i in tqdm(range(n), desc="tickets", unit="t", file=sys.stderr, mininterval=1):
        matter = rng.choice(matters)
        town, place = rng.choice(places)
        text = rng.choice(matter.example_list() or [matter.name])
        address = f"{town.parent.name}{town.name}{place}{rng.randint(1, 200)}号"
        content = f"{address}，{text}"
        batch.append(
            Ticket(
                code=f"BENCH{i:09d}",
                channel=channel,
                title=content[:30],
                content=content,
                address=address,
                region=town,
                matter=matter,
                requester_phone=rng.choice(phones),
                status=Status.DISPATCHED,
                received_at=now - dt.timedelta(seconds=rng.uniform(0, 89 * 86400)),
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)


def main(n: int, *, cluster: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from hotline.demo.reference import load_reference
    from hotline.insight.hotspots import find_hot_issues, read_messages_file
    from hotline.insight.repeats import likely_repeats
    from hotline.insight.services import ticket_messages
    from hotline.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    load_reference()
    result: dict = {"database": connection.vendor, "n": n}

    if cluster and VOTES.exists():
        messages = read_messages_file(VOTES)
        started = time.perf_counter()
        issues = find_hot_issues(messages, top=10)
        result["file_seconds"] = time.perf_counter() - started
        result["file_top"] = [f"{h.title} ({h.size})" for h in issues[:5]]
        result["file_clusters"] = [[h.rank, h.title, h.size, h.heat, " ".join(h.member_ids[:6])] for h in issues]

    now = timezone.now()
    if not Ticket.objects.filter(code__startswith="BENCH").exists():
        make_tickets(n, now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    rng = random.Random(5)
    probes = list(
        Ticket.objects.order_by("?").values_list("requester_phone", "address", "region_id", "matter_id", "content")[
            :300
        ]
    )
    likely_repeats(*probes[0], now=now)  # warm the caches (gazetteer, prepared statements)
    times, found = [], 0
    for phone, address, region, matter, content in probes:
        if rng.random() < 0.5:
            phone = f"137{rng.randrange(10**8):08d}"  # a new caller about a known problem
        started = time.perf_counter()
        hits = likely_repeats(phone, address, region, matter, content, now=now)
        times.append((time.perf_counter() - started) * 1000)
        found += bool(hits)
    times.sort()
    result["repeat_ms_median"] = statistics.median(times)
    result["repeat_ms_p95"] = times[int(len(times) * 0.95) - 1]
    result["repeat_found_share"] = found / len(probes)

    if not cluster:
        print(json.dumps(result, ensure_ascii=False))
        return
    started = time.perf_counter()
    messages = ticket_messages(now - dt.timedelta(days=90), now + dt.timedelta(seconds=1))
    read_seconds = time.perf_counter() - started
    issues = find_hot_issues(messages, top=10, progress=True)
    result["db_messages"] = len(messages)
    result["db_read_seconds"] = read_seconds
    result["db_seconds"] = time.perf_counter() - started
    result["db_issues"] = len(issues)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, cluster="repeats" not in sys.argv[2:])
