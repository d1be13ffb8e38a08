"""The public portal's figures page on a year of history: counting the figures (the worker's
ten-minute job), the page read from that snapshot with an empty cache, and the page cached.

Usage: ``python -m bench.portal`` with HOTLINE_DATABASE_URL naming a database that holds a year
of tickets (``python -m bench.supervision`` builds one on PostgreSQL). Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import time

import django

REPEATS = 5


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from hotline.publicity.selectors import refresh_snapshot
    from hotline.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    counting = []
    for _ in range(3):
        started = time.perf_counter()
        refresh_snapshot()
        counting.append((time.perf_counter() - started) * 1000)
    client = Client()
    client.get("/public/figures/")  # templates compiled once per process
    uncached = []
    for _ in range(REPEATS):
        cache.clear()
        started = time.perf_counter()
        assert client.get("/public/figures/").status_code == 200
        uncached.append((time.perf_counter() - started) * 1000)
    cached = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        assert client.get("/public/figures/").status_code == 200
        cached.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "tickets": Ticket.objects.count(),
                "snapshot_median_ms": round(statistics.median(counting), 1),
                "uncached_median_ms": round(statistics.median(uncached), 1),
                "uncached_max_ms": round(max(uncached), 1),
                "cached_median_ms": round(statistics.median(cached), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
