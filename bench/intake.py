"""Intake and dispatch throughput through the service layer, in whatever database the settings name.

Run by ``python -m bench``; prints one JSON line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time

import django


def main(n: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from hotline.catalog.models import Matter
    from hotline.demo.reference import load_reference
    from hotline.dispatch import router
    from hotline.dispatch.services import dispatch_ticket
    from hotline.intake.services import register_ticket
    from hotline.orgs.models import Region

    call_command("migrate", verbosity=0)
    load_reference()
    rng = random.Random(1)
    matters = list(Matter.objects.filter(is_leaf=True))
    townships = list(Region.objects.filter(level="township").select_related("parent"))
    base = timezone.make_aware(dt.datetime(2026, 11, 2, 8))
    requests = []
    for i in range(n):
        town = rng.choice(townships)
        requests.append(
            {
                "channel": "app_shiliuzi",
                "external_id": f"BENCH-{time.time_ns()}-{i}",
                "content": f"{town.name}某小区{rng.randint(1, 30)}号楼，{rng.choice(matters).name}问题。",
                "requester_phone": f"139{rng.randrange(10**8):08d}",
                "address": f"{town.parent.name}{town.name}",
                "received_at": base + dt.timedelta(seconds=i * 2),
            }
        )
    started = time.perf_counter()
    tickets = [register_ticket(**r)[0] for r in requests]
    intake_seconds = time.perf_counter() - started

    routes = []
    for t in tickets:
        matter = rng.choice(matters)
        routes.append((t, matter, router.route(matter, t.region).unit))
    started = time.perf_counter()
    dispatched = 0
    for t, matter, unit in routes:
        if unit is not None:
            dispatch_ticket(t, lead_unit=unit, matter=matter, at=t.received_at + dt.timedelta(minutes=10))
            dispatched += 1
    dispatch_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "n": n,
                "intake_per_s": n / intake_seconds,
                "dispatch_per_s": dispatched / dispatch_seconds,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
