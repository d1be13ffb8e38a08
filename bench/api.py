"""API intake over HTTP: gunicorn (2 workers) + PostgreSQL, driven by locust headless on
127.0.0.1, bounded in time; then the same number of ticket rows (and their events) inserted
straight into PostgreSQL, one transaction each, as the reference for the ratio.

    python -m bench.api [seconds=20] [users=16]

Needs PostgreSQL (``HOTLINE_BENCH_PG``, default postgres://postgres@127.0.0.1:5432/hotline_bench;
the database is created when missing). Prints one JSON line.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("HOTLINE_BENCH_PG", "postgres://postgres@127.0.0.1:5432/hotline_bench")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare() -> str:
    """Migrate, load the reference data, and make a partner client; returns its token."""
    os.environ["HOTLINE_DATABASE_URL"] = PG_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from hotline.api.models import PartnerClient
    from hotline.api.services import create_client
    from hotline.demo.reference import load_reference, reference_loaded

    call_command("migrate", verbosity=0)
    if not reference_loaded():
        load_reference()
    PartnerClient.objects.filter(name="bench").update(name=f"bench-{time.time_ns()}", is_active=False)
    _client, token = create_client(name="bench", channel="app_shiliuzi", scopes=["submit"], rate_limit=10**9)
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()  # noqa: S310 (127.0.0.1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def load(token: str, seconds: int, users: int) -> dict:
    port = free_port()
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": PG_URL,
        "HOTLINE_DEBUG": "False",
        "HOTLINE_ALLOWED_HOSTS": "127.0.0.1",
        "HOTLINE_BENCH_TOKEN": token,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hotline.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    try:
        wait_up(f"http://127.0.0.1:{port}/api/v1/openapi.json")
        done = subprocess.run(
            [
                sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locust_api.py"), "--headless",
                "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}",
                "--csv", str(out / "api"), "--only-summary", "--loglevel", "WARNING",
            ],
            cwd=ROOT, env=env, check=False, capture_output=True, text=True, timeout=seconds + 60,
        )  # fmt: skip
        if not (out / "api_stats.csv").exists():
            raise RuntimeError(f"locust wrote no statistics: {done.stderr[-2000:]}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    with (out / "api_stats.csv").open() as fh:
        row = next(r for r in csv.DictReader(fh) if r["Name"] == "Aggregated")
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
    }


def raw_inserts(n: int) -> dict:
    """The same rows written straight into PostgreSQL: a ticket copied from one the API made, with
    its own code and external id, and its first event, one transaction per ticket."""
    import psycopg

    with psycopg.connect(PG_URL) as conn:
        cols = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'tickets_ticket' "
                "AND column_name NOT IN ('id', 'code', 'external_id') ORDER BY ordinal_position"
            )
        ]
        ecols = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'tickets_ticketevent' "
                "AND column_name NOT IN ('id', 'ticket_id') ORDER BY ordinal_position"
            )
        ]
        template = conn.execute(
            "SELECT t.id, e.id FROM tickets_ticket t JOIN tickets_ticketevent e ON e.ticket_id = t.id "
            "WHERE t.external_id LIKE 'LOAD-%%' ORDER BY t.id DESC LIMIT 1"
        ).fetchone()
        conn.commit()
        ticket_sql = (
            f"INSERT INTO tickets_ticket (code, external_id, {', '.join(cols)}) "
            f"SELECT %s, %s, {', '.join(cols)} FROM tickets_ticket WHERE id = %s RETURNING id"
        )
        event_sql = (
            f"INSERT INTO tickets_ticketevent (ticket_id, {', '.join(ecols)}) "
            f"SELECT %s, {', '.join(ecols)} FROM tickets_ticketevent WHERE id = %s"
        )
        stamp = time.time_ns()
        started = time.perf_counter()
        for i in range(n):
            new_id = conn.execute(
                ticket_sql, [f"RAW{stamp % 10**12}{i:07d}", f"RAW-{stamp}-{i}", template[0]]
            ).fetchone()[0]
            conn.execute(event_sql, [new_id, template[1]])
            conn.commit()
        seconds = time.perf_counter() - started
    return {"rows": n, "seconds": round(seconds, 2), "rows_per_s": round(n / seconds, 1)}


def main(seconds: int = 20, users: int = 16) -> None:
    ensure_database(PG_URL)
    token = prepare()
    api = load(token, seconds, users)
    raw = raw_inserts(max(api["requests"], 1))
    ratio = round(api["rps"] / raw["rows_per_s"], 3) if raw["rows_per_s"] else None
    print(json.dumps({"api": api, "raw": raw, "api_over_raw": ratio, "users": users, "seconds": seconds}))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
