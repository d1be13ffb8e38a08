"""Run every benchmark and write docs/benchmarks.md: ``make bench`` (or ``python -m bench``).

Benchmarks are not tests: they measure, print, and record the machine they ran on.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("HOTLINE_BENCH_PG", "postgres://postgres@127.0.0.1:5432/hotline_bench")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    import sqlite3

    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}"
    )


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=True)


def intake(url: str, var: str) -> dict:
    out = run([sys.executable, "-m", "bench.intake", "3000"], {"HOTLINE_DATABASE_URL": url, "HOTLINE_VAR_DIR": var})
    return json.loads(out.stdout.strip().splitlines()[-1])


def postgres_ready() -> bool:
    if shutil.which("psql") is None:
        return False
    probe = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-q",
            "-c",
            "DROP DATABASE IF EXISTS hotline_bench",
            "-c",
            "CREATE DATABASE hotline_bench",
        ],
        capture_output=True,
        text=True,
    )
    return probe.returncode == 0


def fresh_postgres_db(name: str) -> str | None:
    """Drop and create database ``name`` on the local PostgreSQL; its URL, or None without one."""
    if shutil.which("psql") is None:
        return None
    made = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q"]
        + ["-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"],
        capture_output=True,
        text=True,
    )
    return PG_URL.rsplit("/", 1)[0] + f"/{name}" if made.returncode == 0 else None


def reports(url: str, var: str) -> dict:
    out = run([sys.executable, "-m", "bench.reports"], {"HOTLINE_DATABASE_URL": url, "HOTLINE_VAR_DIR": var})
    return json.loads(out.stdout.strip().splitlines()[-1])


def simulation(var: str, days: int, per_day: int) -> tuple[str, float, int]:
    env = {"HOTLINE_VAR_DIR": var, "HOTLINE_DATABASE_URL": f"sqlite:///{var}/sim.sqlite3"}
    run([sys.executable, "-m", "hotline.cli", "migrate", "-v0"], env)
    run([sys.executable, "-m", "hotline.cli", "load_reference"], env)
    started = time.perf_counter()
    out = subprocess.run(
        [
            "/usr/bin/time",
            "-f",
            "MAXRSS %M",
            sys.executable,
            "-m",
            "hotline.cli",
            "simulate",
            "--days",
            str(days),
            "--per-day",
            str(per_day),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    last = [line for line in out.stdout.splitlines() if line.startswith("simulated ")][-1]
    rss = int(re.search(r"MAXRSS (\d+)", out.stderr).group(1)) if "MAXRSS" in out.stderr else 0
    return last, wall, rss


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as var:
        sqlite = intake(f"sqlite:///{var}/intake.sqlite3", var)
        print("intake sqlite", sqlite, flush=True)
        rows.append(("Intake (validate, code, event) on SQLite", f"{sqlite['intake_per_s']:.0f} tickets/s", "≥ 300/s"))
        rows.append(
            (
                "Dispatch (route given, deadlines, event, assignment) on SQLite",
                f"{sqlite['dispatch_per_s']:.0f} tickets/s",
                "—",
            )
        )
        if postgres_ready():
            pg = intake(PG_URL, var)
            print("intake postgres", pg, flush=True)
            rows.append(("Intake on PostgreSQL", f"{pg['intake_per_s']:.0f} tickets/s", "≥ 300/s"))
            rows.append(("Dispatch on PostgreSQL", f"{pg['dispatch_per_s']:.0f} tickets/s", "—"))
        else:
            rows.append(("Intake on PostgreSQL", "not run: no PostgreSQL on 127.0.0.1", "≥ 300/s"))
        reports_url = fresh_postgres_db("hotline_bench_reports")
        if reports_url:
            rep = reports(reports_url, var)
            print("reports", rep, flush=True)
            history = f"{rep['history']['tickets']:,} tickets, {rep['history']['events']:,} events"
            for kind, target in (("daily", "< 2 s"), ("monthly", "< 10 s")):
                r = rep[kind]
                rows.append(
                    (
                        f"{kind.capitalize()} report, Word + Excel + text, on PostgreSQL with a year of history "
                        f"({history}){'' if rep['charts'] else ', no CJK font: no charts'}",
                        f"{r['all_formats_s']:.2f} s (figures alone {r['figures_s']:.2f} s; "
                        f"slowest of 3 {r['slowest_s']:.2f} s)",
                        target,
                    )
                )
        else:
            rows.append(("Reports on PostgreSQL", "not run: no PostgreSQL on 127.0.0.1", "daily < 2 s, monthly < 10 s"))
        last, wall, rss = simulation(var, 30, 1200)
        print(last, flush=True)
        seconds = float(re.search(r"in ([\d.]+) s", last).group(1))
        count = int(re.search(r"simulated (\d+) tickets", last).group(1))
        rows.append(
            (
                "`hotline simulate --days 30 --per-day 1200` (36,000 tickets, SQLite)",
                f"{seconds:.1f} s ({count / seconds:.0f} tickets/s), peak memory {rss / 1024:.0f} MiB",
                "< 120 s",
            )
        )
        rows.append(("  its summary line", last, ""))
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    text = (
        "# Benchmarks\n\n"
        "Written by `make bench` (`python -m bench`); each figure is one run, not a test. "
        "Re-run on your own machine before quoting it.\n\n"
        f"Machine: {machine()}.\n\nRun on {time.strftime('%Y-%m-%d %H:%M %Z')}.\n\n"
        "| what | measured | target |\n|---|---|---|\n" + table + "\n"
    )
    extra = ROOT / "docs" / "benchmarks-notes.md"
    if extra.exists():
        text += "\n" + extra.read_text(encoding="utf-8")
    (ROOT / "docs" / "benchmarks.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
