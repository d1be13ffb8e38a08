"""Load and a fault under load: ``python -m bench.loadtest [--users 50] [--seconds 60] [--kill-worker]``.

Builds (once) a small demo history on PostgreSQL (database ``hotline_bench_load``), starts
``hotline serve`` on 127.0.0.1 in production mode, runs locust headless against it (bench/locustfile.py),
optionally kills one web process with SIGKILL halfway, then compares the load tool's ledger of
acknowledged registrations with the database. Prints one JSON line; writes nothing else.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("HOTLINE_BENCH_LOAD_PG", "postgres://postgres@127.0.0.1:5432/hotline_bench_load")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kill-worker", action="store_true", help="SIGKILL one web process halfway")
    parser.add_argument(
        "--kill-master", action="store_true", help="SIGKILL the server's master halfway, then start it again"
    )
    args = parser.parse_args()
    if not 1 <= args.users <= 500 or not 10 <= args.seconds <= 900:
        raise SystemExit("--users 1..500, --seconds 10..900: the load stays bounded")

    var = Path(tempfile.mkdtemp(prefix="hotline-load-"))
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": PG,
        "HOTLINE_VAR_DIR": str(var),
        "HOTLINE_SECRET_KEY": secrets.token_urlsafe(50),
        "HOTLINE_ALLOWED_HOSTS": "127.0.0.1",
        "HOTLINE_ACCESS_LOG_LEVEL": "WARNING",
    }
    hotline = [sys.executable, "-m", "hotline.cli"]
    built = subprocess.run(
        [*hotline, "shell", "-c", "from hotline.tickets.models import Ticket; print(Ticket.objects.count())"],
        env=env,
        capture_output=True,
        text=True,
    )
    if built.returncode != 0 or int((built.stdout.strip() or "0").splitlines()[-1]) == 0:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", PG.rsplit("/", 1)[1]], capture_output=True)
        subprocess.run(
            [*hotline, "demo", "--no-serve", "--days", "2", "--per-day", "600"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    else:
        # The demo logins, with the demo password, in a database built earlier.
        subprocess.run(
            [*hotline, "shell", "-c", "from hotline.demo.personas import create_personas; create_personas()"],
            env=env,
            check=True,
        )
    before = subprocess.run(
        [*hotline, "shell", "-c", "from hotline.tickets.models import Ticket; print(Ticket.objects.count())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(var / "serve.log", "a")

    def start_server(*extra: str) -> subprocess.Popen:
        return subprocess.Popen(
            [*hotline, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), *extra],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_up() -> float:
        started = time.monotonic()
        while time.monotonic() - started < 120:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        return time.monotonic() - started

    server = start_server()
    wait_until_up()
    ledger = var / "ledger.txt"
    locust = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            f"{args.seconds}s",
            "--host",
            base,
            "--csv",
            str(var / "stats"),
            "--only-summary",
            "--stop-timeout",
            "10",
        ],
        env={**env, "HOTLINE_LOAD_LEDGER": str(ledger)},
        stdout=subprocess.DEVNULL,
        stderr=open(var / "locust.log", "w"),
    )
    killed = None
    down_s = None
    if args.kill_worker or args.kill_master:
        time.sleep(args.seconds / 2)
        if args.kill_master:
            # The master dies; its web processes notice their parent is gone and leave after the
            # request in hand. A supervisor (systemd) starts the server again: here, at once.
            killed = server.pid
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
            started = time.monotonic()
            server = start_server("--no-collectstatic")
            # The orphans still answer, so /healthz cannot tell: wait for the new master's processes.
            while len(children(server.pid)) < args.workers and time.monotonic() - started < 120:
                time.sleep(0.1)
            down_s = round(time.monotonic() - started, 1)
        else:
            workers = children(server.pid)
            if workers:
                killed = workers[0]
                os.kill(killed, signal.SIGKILL)
    locust.wait(timeout=args.seconds + 120)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)

    rows = {row["Name"]: row for row in csv.DictReader(open(var / "stats_stats.csv", encoding="utf-8"))}
    total = rows["Aggregated"]
    keys = [k for k in ledger.read_text().split() if k] if ledger.exists() else []
    check = (
        "import json,sys; from django.db.models import Count; from hotline.tickets.models import Ticket; "
        "keys=['console-'+k for k in open(sys.argv[-1]).read().split()]; "
        "found=Ticket.objects.filter(external_id__in=keys); "
        "dups=found.values('external_id').annotate(n=Count('id')).filter(n__gt=1).count(); "
        "print(json.dumps({'found': found.count(), 'duplicates': dups, 'total': Ticket.objects.count()}))"
    )
    ledger.touch()
    found = json.loads(
        subprocess.run(
            [*hotline, "shell", "-c", check.replace("sys.argv[-1]", repr(str(ledger)))],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    per_page = {
        name: {
            "n": int(r["Request Count"]),
            "fail": int(r["Failure Count"]),
            "p50": r["50%"],
            "p95": r["95%"],
            "p99": r["99%"],
        }
        for name, r in rows.items()
        if name != "Aggregated"
    }
    print(
        json.dumps(
            {
                "users": args.users,
                "seconds": args.seconds,
                "web_processes": args.workers,
                "killed": killed,
                "kill": "master" if args.kill_master else ("worker" if args.kill_worker else None),
                "restart_s": down_s,
                "requests": int(total["Request Count"]),
                "failures": int(total["Failure Count"]),
                "rps": round(float(total["Requests/s"]), 1),
                "p50_ms": total["50%"],
                "p95_ms": total["95%"],
                "p99_ms": total["99%"],
                "acknowledged": len(keys),
                "found": found["found"],
                "duplicates": found["duplicates"],
                "tickets_before": int(before),
                "tickets_after": found["total"],
                "pages": per_page,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
