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


def insight(url: str, var: str, *, cluster: bool = True) -> dict:
    args = [sys.executable, "-m", "bench.insight", "100000"] + ([] if cluster else ["repeats"])
    out = run(args, {"HOTLINE_DATABASE_URL": url, "HOTLINE_VAR_DIR": var})
    return json.loads(out.stdout.strip().splitlines()[-1])


def insight_rows(url: str, var: str, pg_url: str | None) -> tuple[list[tuple[str, str, str]], str]:
    rows = []
    result = insight(url, var)
    print("insight sqlite", result, flush=True)
    rows.append(
        (
            "Repeat check, one new request against 90 days of 100,000 tickets (SQLite)",
            f"median {result['repeat_ms_median']:.1f} ms, p95 {result['repeat_ms_p95']:.1f} ms "
            f"({result['repeat_found_share']:.0%} of probes found a likely repeat)",
            "< 50 ms",
        )
    )
    if pg_url:
        pg = insight(pg_url, var, cluster=False)
        print("insight postgres", pg, flush=True)
        rows.append(
            (
                "Repeat check on PostgreSQL",
                f"median {pg['repeat_ms_median']:.1f} ms, p95 {pg['repeat_ms_p95']:.1f} ms",
                "< 50 ms",
            )
        )
    if "file_seconds" in result:
        rows.append(
            (
                "Hot issues of the TipDM file (4,326 messages): `hotline insight hotspots --data … --top 10`",
                f"{result['file_seconds']:.1f} s; top five: " + "; ".join(result["file_top"]),
                "< 30 s",
            )
        )
    rows.append(
        (
            f"Hot issues of {result['db_messages']:,} tickets from the database (90 days)",
            f"{result['db_seconds']:.1f} s (reading {result['db_read_seconds']:.1f} s), {result['db_issues']} issues",
            "< 5 min",
        )
    )
    return rows, clusters_section(result)


def clusters_section(result: dict) -> str:
    """The top ten hot issues of the TipDM file, as `hotline insight hotspots --data … --top 10` prints them."""
    if not result.get("file_clusters"):
        return ""
    lines = [
        "## Hot issues of the TipDM votes file",
        "",
        "`hotline insight hotspots --data ../shared/datasets/tipdm2020c/messages_with_votes.csv --top 10 "
        "--out clusters.csv` gives these clusters (member ids: the first six of each).",
        "",
        "| rank | title | size | heat | member_ids |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r} | {t} | {n} | {h:.2f} | {ids} … |" for r, t, n, h, ids in result["file_clusters"]]
    return "\n".join(lines) + "\n"


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


SUP_DB = "hotline_bench_supervision"


def portal_rows(var: str) -> list[tuple[str, str, str]]:
    """The portal's figures page on the year the supervision benchmark left on PostgreSQL."""
    url = PG_URL.rsplit("/", 1)[0] + f"/{SUP_DB}"
    env = {"HOTLINE_DATABASE_URL": url, "HOTLINE_VAR_DIR": var, "HOTLINE_ALLOWED_HOSTS": "testserver"}
    got = json.loads(run([sys.executable, "-m", "bench.portal"], env).stdout.strip().splitlines()[-1])
    print("portal", got, flush=True)
    return [
        (
            f"Public figures page, PostgreSQL, a year ({got['tickets']:,} tickets): read from the worker's snapshot",
            f"median {got['uncached_median_ms']} ms (cached {got['cached_median_ms']} ms)",
            "< 200 ms",
        ),
        ("  counting the figures (the worker's ten-minute job)", f"median {got['snapshot_median_ms']} ms", "—"),
    ]


def supervision(var: str) -> dict | None:
    """A year of history on PostgreSQL (kept between runs: generating it takes minutes)."""
    probe = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c", f"CREATE DATABASE {SUP_DB}"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0 and "already exists" not in probe.stderr:
        return None
    url = PG_URL.rsplit("/", 1)[0] + f"/{SUP_DB}"
    out = run([sys.executable, "-m", "bench.supervision"], {"HOTLINE_DATABASE_URL": url, "HOTLINE_VAR_DIR": var})
    return json.loads(out.stdout.strip().splitlines()[-1])


def supervision_rows(sup: dict | None) -> list[tuple[str, str, str]]:
    if sup is None:
        return [("Supervision at a year's scale", "not run: no PostgreSQL on 127.0.0.1", "")]
    ms = lambda s: f"{1000 * s:.0f} ms"  # noqa: E731
    return [
        (
            f"Deadline scan of all running tickets ({sup['running']:,} of {sup['tickets']:,}; PostgreSQL)",
            f"{ms(sup['scan_steady_s'])} with nothing to change; {ms(sup['scan_first_s'])} a day later "
            f"({sup['scan_first']['changed']:,} tickets' states changed)",
            "< 1 s",
        ),
        (
            "Escalation pass over the same tickets (reminders, notices, public notices)",
            f"{ms(sup['escalate_steady_s'])} with nothing to issue ({sup['escalate_first_s']:.1f} s the first time, "
            f"{sum(sup['escalate_first'].values()):,} orders)",
            "—",
        ),
        (
            f"The month's three-rate ranking of every unit ({sup['ranking_units']} units)",
            f"{ms(sup['ranking_s'])} (by district {ms(sup['ranking_district_s'])})",
            "< 1 s",
        ),
        (
            f"Supervision pool, first page of 50 ({sup['pool_counts']['total']:,} open)",
            f"{ms(sup['pool_page_s'])}; red/yellow/green counts {ms(sup['pool_counts_s'])}",
            "< 200 ms",
        ),
    ]


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


def pages(var: str) -> dict:
    env = {
        "HOTLINE_VAR_DIR": var,
        "HOTLINE_DATABASE_URL": f"sqlite:///{var}/sim.sqlite3",
        "HOTLINE_ALLOWED_HOSTS": "testserver",
    }
    out = run([sys.executable, "-m", "bench.pages"], env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def page_table(result: dict) -> str:
    """The pages' section (``bench/pages.py``: median, p95, queries and the ratio to a reference)."""
    return "\n" + result["section"]


def intelligence(var: str) -> list[tuple[str, str, str]]:
    """The classifier on the TipDM dev data (split once, held-out part never trained on) and the
    place resolver on our labelled Xining addresses."""
    env = {"HOTLINE_VAR_DIR": var, "HOTLINE_DATABASE_URL": f"sqlite:///{var}/places.sqlite3"}
    places = json.loads(run([sys.executable, "-m", "bench.places"], env).stdout.strip().splitlines()[-1])
    print("places", places, flush=True)
    rows = [
        (
            f"Place resolver on {places['n']} labelled Xining addresses (`python -m bench.places`)",
            f"{places['accuracy']:.1%} right; by form: "
            + ", ".join(f"{k} {v:.0%}" for k, v in places["by_form"].items()),
            "≥ 95%",
        )
    ]
    out = run([sys.executable, "-m", "bench.classifier"], {"HOTLINE_VAR_DIR": var}).stdout.strip().splitlines()[-1]
    cls = json.loads(out)
    print("classifier", cls, flush=True)
    if "skipped" in cls:
        return rows + [("Classifier on TipDM 2020-C", f"not run: {cls['skipped']}", "")]
    return rows + [
        (
            f"Classifier, held-out TipDM messages (train {cls['train']}, test {cls['test']} rows; "
            f"{cls.get('messages', '?')} distinct messages, split by message): "
            "`hotline classifier eval --data var/bench/tipdm_test.csv --model var/bench/tipdm.joblib`",
            cls["eval_line"],
            "macro-F1 ≥ 0.94; coverage@97%precision ≥ 0.70",
        ),
        ("  at the model's own threshold (chosen on training folds)", cls["eval_threshold_line"], ""),
        (
            "  training, one core: `hotline classifier train --data var/bench/tipdm_train.csv --out …`",
            f"{cls['train_wall_s']} s wall ({cls['train_line']})",
            "< 60 s for 10,000 texts",
        ),
        (
            "  one suggestion (with its words), one core",
            f"p50 {cls['p50_ms']} ms, p99 {cls['p99_ms']} ms",
            "p99 ≤ 20 ms",
        ),
        ("  batch, one core", f"{cls['batch_per_s']} texts/s", "≥ 2,000 texts/s"),
        ("  model file", f"{cls['size_mb']} MB", "< 50 MB"),
    ]


def anonymise_section() -> str:
    """The anonymiser's table (``bench/anonymise.py``), measured in its own process."""
    out = run([sys.executable, "-m", "bench.anonymise"], {})
    return json.loads(out.stdout.strip().splitlines()[-1])["section"]


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
        sup = supervision(var) if shutil.which("psql") else None
        print("supervision", sup, flush=True)
        rows.extend(supervision_rows(sup))
        if sup is not None:
            rows.extend(portal_rows(var))
        insight_table, clusters = insight_rows(
            f"sqlite:///{var}/insight.sqlite3", var, PG_URL if postgres_ready() else None
        )
        rows.extend(insight_table)
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
        page_result = pages(var)
        worst = max(page_result["pages"], key=lambda r: r["median_ms"])
        rows.append(
            (
                f"Slowest workbench page, any role ({len(page_result['pages'])} pages × roles)",
                f"median {worst['median_ms']:.0f} ms ({worst['role']} `{worst['url']}`)",
                "< 300 ms",
            )
        )
        rows += intelligence(var)
    anonymiser = anonymise_section()
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    text = (
        "# Benchmarks\n\n"
        "Written by `make bench` (`python -m bench`); each figure is one run, not a test. "
        "Re-run on your own machine before quoting it.\n\n"
        f"Machine: {machine()}.\n\nRun on {time.strftime('%Y-%m-%d %H:%M %Z')}.\n\n"
        "| what | measured | target |\n|---|---|---|\n" + table + "\n" + page_table(page_result)
    )
    text += "\n" + anonymiser
    if clusters:
        text += "\n" + clusters
    for extra in (ROOT / "docs" / "benchmarks-notes.md", ROOT / "docs" / "benchmarks-operations.md"):
        if extra.exists():
            text += "\n" + extra.read_text(encoding="utf-8")
    (ROOT / "docs" / "benchmarks.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
