"""Every workbench page as every role, on a database holding a month of demo history.

Usage: ``python -m bench.pages`` with HOTLINE_DATABASE_URL naming a database that ``hotline
simulate`` filled. Prints one JSON line: per (role, page) the median and the slowest of the timed
requests, in milliseconds. Requests go through Django's full stack (middleware, sessions, templates)
in-process, so the figure is the server's time without the network.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import django

REPEATS = 7


def pages_for(role: str, ticket_code: str, district_code: str) -> list[str]:
    lists = {
        "operator": ["/console/", "/revisits/", "/knowledge/?q=公积金", "/search/?q=路灯"],
        "dispatcher": ["/queue/", "/queue/?status=returned", "/extensions/", "/search/"],
        "street": ["/inbox/", "/inbox/?view=done", "/search/"],
        "housing": ["/inbox/", "/search/?sort=-received"],
        "supervisor": [
            "/pool/",
            "/pool/?deadline=overdue",
            f"/pool/?district={district_code}",
            "/pool/?page=20&sort=-received",
            "/search/?status=closed",
            "/dashboard/",
        ],
        "leader": ["/dashboard/", "/pool/"],
        "district": ["/pool/", "/dashboard/"],
    }[role]
    return ["/", *lists, f"/tickets/{ticket_code}/"]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from hotline.demo.personas import create_personas
    from hotline.orgs.models import Region
    from hotline.tickets.models import Ticket
    from hotline.tickets.selectors import tickets_visible_to

    create_personas()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["operator", "dispatcher", "street", "housing", "supervisor", "leader", "district"]
        )
    }
    district = Region.objects.get(code="630102")
    total = Ticket.objects.count()
    results = []
    for role, user in sorted(users.items()):
        code = tickets_visible_to(user).order_by("-received_at").values_list("code", flat=True).first()
        client = Client()
        client.force_login(user)
        for url in pages_for(role, code, district.code):
            response = client.get(url, follow=True)
            assert response.status_code == 200, (role, url, response.status_code)
            times = []
            for _ in range(REPEATS):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code in (200, 302), (role, url, response.status_code)
            results.append({"role": role, "url": url, "median_ms": statistics.median(times), "max_ms": max(times)})
            print(
                f"{role:<11} {url:<40} median {statistics.median(times):6.1f} ms  max {max(times):6.1f} ms",
                file=sys.stderr,
                flush=True,
            )
    print(json.dumps({"tickets": total, "pages": results}))


if __name__ == "__main__":
    main()
