"""Prometheus metrics: request latency from every web process, and the state of the centre read
from the database when /metrics is scraped (tickets taken in, queues, overdue tickets by
supervision level, job lag, deliveries).

Under ``hotline serve`` several worker processes answer requests; prometheus-client then keeps
each process's figures in files under ``PROMETHEUS_MULTIPROC_DIR`` (the serve command sets it)
and /metrics adds them up, whichever process answers the scrape.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

from django.db.models import Count, F, Max, Q
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# Buckets around the targets: pages p95 < 300 ms, reports < 10 s.
REQUEST_LATENCY = Histogram(
    "hotline_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it.",
    ["method", "view", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def observe_request(method: str, view: str, status: int, seconds: float) -> None:
    # Label values stay few: unknown methods and unmatched paths collapse into one each, so a
    # scanner trying ten thousand paths cannot blow up the number of series.
    REQUEST_LATENCY.labels(method if method in _METHODS else "other", view, f"{status // 100}xx").observe(seconds)


# Supervision order ranks (supervision.models.LEVEL_RANK) as names; 0: overdue, no order yet.
_RANK_NAMES = {0: "none", 1: "reminder", 2: "notice", 3: "public"}


class CentreCollector(Collector):
    """Figures read from the database at scrape time, so every process reports the same ones."""

    def collect(self) -> Iterator[Metric]:
        from hotline.outbox.models import Delivery
        from hotline.tickets.models import AWAITING_DISPATCH, Ticket
        from hotline.tickets.selectors import late_to_contact, late_to_sign, overdue
        from hotline.worker.models import JobRun
        from hotline.worker.schedule import jobs

        now = timezone.now()

        taken = CounterMetricFamily(
            "hotline_tickets_taken_in",
            "Requests registered since the platform started, by channel.",
            labels=["channel"],
        )
        for row in Ticket.objects.values("channel_id").annotate(n=Count("id")).order_by("channel_id"):
            taken.add_metric([row["channel_id"] or ""], row["n"])
        yield taken

        queue = GaugeMetricFamily("hotline_queue_depth", "Tickets waiting, by queue.", labels=["queue"])
        queue.add_metric(["dispatch"], Ticket.objects.filter(status__in=AWAITING_DISPATCH).count())
        queue.add_metric(["late_to_sign"], Ticket.objects.filter(late_to_sign(now)).count())
        queue.add_metric(["late_to_contact"], Ticket.objects.filter(late_to_contact(now)).count())
        yield queue

        # Overdue tickets by the highest supervision order issued on their current deadline.
        level = GaugeMetricFamily(
            "hotline_overdue_tickets", "Overdue tickets by the supervision level reached.", labels=["level"]
        )
        counts = dict.fromkeys(_RANK_NAMES.values(), 0)
        rows = (
            Ticket.objects.filter(overdue(now))
            .annotate(rank=Max("supervision_orders__rank", filter=Q(supervision_orders__due=F("resolve_due"))))
            .values("rank")
            .annotate(n=Count("id", distinct=True))
            .order_by()
        )
        for row in rows:
            counts[_RANK_NAMES.get(row["rank"] or 0, "public")] += row["n"]
        for name, n in counts.items():
            level.add_metric([name], n)
        yield level

        lag = GaugeMetricFamily(
            "hotline_job_lag_seconds",
            "How late each periodic job is: time since its last start minus its interval (0: on time).",
            labels=["job"],
        )
        failing = GaugeMetricFamily("hotline_job_failing", "1 when the job's last run failed.", labels=["job"])
        last = GaugeMetricFamily("hotline_job_last_started", "When each job last started (Unix time).", labels=["job"])
        rows_by_name = {row.name: row for row in JobRun.objects.all()}
        for entry in jobs():
            run = rows_by_name.get(entry.name)
            started = run.last_started_at if run else None
            behind = (now - started - entry.every) if started else dt.timedelta(0)
            lag.add_metric([entry.name], max(behind.total_seconds(), 0.0) if started else float("nan"))
            failing.add_metric([entry.name], 1.0 if run and run.last_error else 0.0)
            last.add_metric([entry.name], started.timestamp() if started else 0.0)
        yield lag
        yield failing
        yield last

        deliveries = GaugeMetricFamily(
            "hotline_deliveries", "Outgoing messages by channel and state.", labels=["channel", "state"]
        )
        for row in Delivery.objects.values("channel", "state").annotate(n=Count("id")).order_by("channel", "state"):
            deliveries.add_metric([row["channel"], row["state"]], row["n"])
        yield deliveries
        retrying = GaugeMetricFamily(
            "hotline_delivery_failures",
            "Messages given up (state failed) and pending messages whose last attempt failed.",
            labels=["kind"],
        )
        retrying.add_metric(["given_up"], Delivery.objects.filter(state=Delivery.State.FAILED).count())
        retrying.add_metric(
            ["retrying"], Delivery.objects.filter(state=Delivery.State.PENDING).exclude(last_error="").count()
        )
        yield retrying


def exposition() -> bytes:
    """The text for /metrics: this process's (or every serve worker's) request figures, then the centre's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        requests = generate_latest(processes)
    else:
        requests = generate_latest(REGISTRY)
    centre = CollectorRegistry()
    centre.register(CentreCollector())
    return requests + generate_latest(centre)
