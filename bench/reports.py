"""Daily and monthly report generation on a year of history in PostgreSQL.

Usage: ``python -m bench.reports [--per-day 1200] [--weeks 52]`` with HOTLINE_DATABASE_URL naming
an empty PostgreSQL database (``python -m bench`` makes one). Prints one JSON line.

A year of history through the simulator would take hours, so it simulates one week through the
real services and copies that week back 51 times with ``INSERT … SELECT`` (tickets, their events
and revisits shifted by whole weeks, ids and codes offset). Report queries read exactly those
tables; assignments and the other side tables are not copied.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import django

REPEATS = 3


def _copy_sql(model, k: int, offsets: dict[str, int], *, last_id: int) -> str:
    """INSERT … SELECT copying ``model``'s simulated rows (id ≤ last_id) ``k`` weeks back."""
    from django.db import models

    table = model._meta.db_table
    cols, exprs = [], []
    for field in model._meta.concrete_fields:
        col = field.column
        cols.append(f'"{col}"')
        if col in offsets:
            exprs.append(f'"{col}" + {offsets[col]}')
        elif isinstance(field, models.DateTimeField):
            exprs.append(f"\"{col}\" - interval '{k} weeks'")
        elif col in ("code", "external_id"):
            exprs.append(f"\"{col}\" || '-{k}'")
        else:
            exprs.append(f'"{col}"')
    return f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {table} WHERE id <= {last_id}"


def build_history(per_day: int, weeks: int) -> dict:
    from django.db import connection
    from django.utils import timezone
    from tqdm import tqdm

    from hotline.demo.simulator import simulate
    from hotline.evaluation.models import Revisit
    from hotline.tickets.models import Ticket, TicketEvent

    started = time.perf_counter()
    stats, _seconds = simulate(days=7, per_day=per_day, end=timezone.now(), progress=None)
    simulated = time.perf_counter() - started
    spans = {
        m: (m.objects.order_by("-id").values_list("id", flat=True).first() or 0) for m in (Ticket, TicketEvent, Revisit)
    }
    t, e, r = spans[Ticket], spans[TicketEvent], spans[Revisit]
    with connection.cursor() as cursor:
        for k in tqdm(range(1, weeks), unit="week", desc="copying history"):
            cursor.execute(_copy_sql(Ticket, k, {"id": t * k, "merged_into_id": t * k}, last_id=t))
            cursor.execute(_copy_sql(TicketEvent, k, {"id": e * k, "ticket_id": t * k}, last_id=e))
            cursor.execute(_copy_sql(Revisit, k, {"id": r * k, "ticket_id": t * k}, last_id=r))
        for model in (Ticket, TicketEvent, Revisit):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("ANALYZE")
    return {
        "simulated_week_tickets": stats.tickets,
        "simulate_s": round(simulated, 1),
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "revisits": Revisit.objects.count(),
        "history_s": round(time.perf_counter() - started, 1),
    }


def timed(kind: str, day, formats: list[str]) -> dict:
    from hotline.reports.figures import period_figures
    from hotline.reports.services import build

    runs, figure_runs = [], []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        period_figures(kind, day)
        figure_runs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        files = build(kind, day, formats)
        runs.append(time.perf_counter() - t0)
    return {
        "figures_s": round(statistics.median(figure_runs), 3),
        "all_formats_s": round(statistics.median(runs), 3),
        "slowest_s": round(max(runs), 3),
        "bytes": {fmt: len(data) for fmt, data in files.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-day", type=int, default=1200)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from hotline.demo.reference import load_reference
    from hotline.reports.charts import cjk_font
    from hotline.tickets.models import Ticket

    if connection.vendor != "postgresql":
        raise SystemExit("bench.reports copies history with PostgreSQL SQL: point HOTLINE_DATABASE_URL at PostgreSQL")
    call_command("migrate", verbosity=0)
    load_reference()
    history = (
        build_history(args.per_day, args.weeks) if not Ticket.objects.exists() else {"tickets": Ticket.objects.count()}
    )
    today = timezone.localdate()
    formats = ["docx", "xlsx", "txt"]
    result = {
        "history": history,
        "charts": cjk_font() is not None,
        "daily": timed("daily", today - dt.timedelta(days=1), formats),
        "monthly": timed("monthly", (today.replace(day=1) - dt.timedelta(days=1)), formats),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
