"""Every page as every role, on the demo month: ``python -m bench.pages [--write]``.

Builds the demo month once (``hotline demo --no-serve`` into ``var/bench/pages/``, about five
minutes on two quiet cores) and reuses it on later runs; ``HOTLINE_DATABASE_URL`` names another
database that ``hotline demo`` filled. Each page is requested once to warm up, then ``REPEATS``
times in-process through Django's whole stack with the test client (middleware, sessions,
templates), as each role's demo login. Reported per page: median and p95 in milliseconds, the
number of SQL queries, and the median as a ratio of a reference measured in the same run (the
login page for an anonymous visitor: a template and a session, no ticket read), so runs on a busy
and a quiet machine can be compared. ``--write`` replaces this benchmark's section of
docs/benchmarks.md. Prints one JSON line last.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = int(os.environ.get("HOTLINE_BENCH_REPEATS", "9"))
TARGET_MS = 300
MARK = "<!-- bench.pages -->"
END = "<!-- /bench.pages -->"


def pages_for(role: str, today: dt.date, ticket: str, waiting: str, district: str) -> list[str]:
    month = today.replace(day=1)
    week = today - dt.timedelta(days=today.weekday())
    reports = [
        f"/reports/view/?kind=monthly&date={month:%Y-%m-%d}",
        f"/reports/view/?kind=weekly&date={week:%Y-%m-%d}",
        f"/reports/view/?kind=daily&date={today:%Y-%m-%d}",
    ]
    lists = {
        "operator": ["/console/", "/revisits/", "/knowledge/?q=公积金", "/search/?q=暖气", "/pick/leaf/?q=路灯"],
        "dispatcher": ["/queue/", "/queue/?status=returned", "/extensions/", "/search/", f"/tickets/{waiting}/"],
        "street": ["/inbox/", "/inbox/?view=mine", "/inbox/?view=done", "/search/"],
        "street-head": ["/inbox/", "/team/", "/search/"],
        "housing": ["/inbox/", "/search/?sort=-received"],
        "supervisor": [
            "/pool/",
            "/pool/?deadline=overdue",
            f"/pool/?district={district}",
            "/pool/?page=20&sort=-received",
            "/search/?status=closed",
            "/dashboard/",
            *reports,
        ],
        "leader": [
            "/dashboard/",
            "/dashboard/?period=last_month",
            f"/dashboard/?period=week&region={district}",
            "/pool/",
            "/search/?q=暖气",
            *reports,
        ],
        "district": ["/pool/", "/dashboard/"],
    }[role]
    return ["/", *lists, f"/tickets/{ticket}/"]


def build_once(var: Path) -> None:
    """The demo month in ``var``, built the first time only."""
    database = var / "hotline.sqlite3"
    if database.exists() and (var / "built").exists():
        return
    var.mkdir(parents=True, exist_ok=True)
    print(f"building the demo month in {var} (once)…", file=sys.stderr, flush=True)
    env = {**os.environ, "HOTLINE_VAR_DIR": str(var)}
    env.pop("HOTLINE_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "hotline.cli", "demo", "--no-serve"], cwd=ROOT, env=env, check=True)
    (var / "built").write_text(time.strftime("%Y-%m-%d %H:%M %Z"))


def timed(client, url: str) -> tuple[list[float], int] | None:
    from django.db import connection

    response = client.get(url, follow=True)
    if response.status_code == 404:  # a page this version does not have (a run of older code)
        return None
    assert response.status_code == 200, (url, response.status_code)
    executed = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (url, response.status_code)
    return times, len(executed)


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def measure() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    os.environ.setdefault("HOTLINE_ALLOWED_HOSTS", "testserver")
    if not os.environ.get("HOTLINE_DATABASE_URL"):
        var = Path(os.environ.get("HOTLINE_BENCH_PAGES_VAR", ROOT / "var" / "bench" / "pages"))
        build_once(var)
        os.environ["HOTLINE_VAR_DIR"] = str(var)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from hotline.demo.personas import create_personas
    from hotline.tickets.models import AWAITING_DISPATCH, Ticket
    from hotline.tickets.selectors import tickets_visible_to

    create_personas()
    roles = ["operator", "dispatcher", "street", "street-head", "housing", "supervisor", "leader", "district"]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=roles)}
    today = timezone.localdate()
    waiting = (
        Ticket.objects.filter(status__in=AWAITING_DISPATCH).order_by("-received_at").values_list("code", flat=True)
    ).first() or Ticket.objects.order_by("-received_at").values_list("code", flat=True).first()
    measured = timed(Client(), "/login/")
    assert measured is not None
    reference_times, reference_queries = measured
    reference = statistics.median(reference_times)
    print(f"reference /login/ median {reference:.1f} ms", file=sys.stderr, flush=True)
    results = []
    for role in roles:
        user = users.get(role)
        if user is None:
            continue
        code = tickets_visible_to(user).order_by("-received_at").values_list("code", flat=True).first()
        client = Client()
        client.force_login(user)
        for url in pages_for(role, today, code, waiting, "630102"):
            measured = timed(client, url)
            if measured is None:
                print(f"{role:<11} {url:<55} not in this version", file=sys.stderr, flush=True)
                continue
            times, queries = measured
            row = {
                "role": role,
                "url": url,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95(times), 1),
                "queries": queries,
                "ratio": round(statistics.median(times) / reference, 1),
            }
            results.append(row)
            print(
                f"{role:<11} {url:<55} median {row['median_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
                f"{queries:3d} queries  ×{row['ratio']}",
                file=sys.stderr,
                flush=True,
            )
    return {
        "tickets": Ticket.objects.count(),
        "reference": {"url": "/login/", "median_ms": round(reference, 2), "queries": reference_queries},
        "pages": results,
    }


def section(result: dict, machine: str, when: str, load: str) -> str:
    over = [r for r in result["pages"] if r["median_ms"] >= TARGET_MS]
    ref = result["reference"]
    lines = [
        MARK,
        f"## Pages as each role ({result['tickets']:,} tickets of the demo month, SQLite)",
        "",
        f"`python -m bench.pages --write` on {when}; machine: {machine}; load average {load} at the start. "
        f"Each page once to warm up, then {REPEATS} times in-process through Django's whole stack as the "
        "role's demo login. Reference in the same run: the login page for an anonymous visitor, median "
        f"{ref['median_ms']:.1f} ms ({ref['queries']} queries); the ratio is a page's median over it, "
        f"comparable between a busy and a quiet machine. Target: every median under {TARGET_MS} ms "
        f"({'met' if not over else f'{len(over)} pages over'}).",
        "",
        "| role | page | median | p95 | queries | × reference |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in result["pages"]:
        lines.append(
            f"| {r['role']} | `{r['url']}` | {r['median_ms']:.0f} ms | {r['p95_ms']:.0f} ms | {r['queries']} "
            f"| {r['ratio']} |"
        )
    lines.append(END)
    return "\n".join(lines) + "\n"


def write(text: str, path: Path) -> None:
    """Replace this benchmark's section of ``path``, or add it at the end."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if MARK in current and END in current:
        head, rest = current.split(MARK, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        current = head + text + ("\n" + tail if tail else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current, encoding="utf-8")


def main() -> None:
    from bench.__main__ import machine

    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    result = measure()
    text = section(result, machine(), time.strftime("%Y-%m-%d %H:%M %Z"), load)
    result["section"] = text
    if "--write" in sys.argv[1:]:
        write(text, ROOT / "docs" / "benchmarks.md")
        print(text, file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
