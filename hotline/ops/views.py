"""/healthz, /readyz and /metrics: for load balancers, orchestrators and Prometheus, not people."""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from .metrics import exposition


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers. Touches nothing else, so a database outage never restarts web processes."""
    return HttpResponse("ok\n", content_type="text/plain")


def _database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _migrations() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return f"{len(plan)} migrations not applied, first {plan[0][0].app_label}.{plan[0][0].name}"
    return "ok"


def _worker(now: dt.datetime) -> str:
    from hotline.worker.models import JobRun

    last = JobRun.objects.aggregate(last=Max("last_started_at"))["last"]
    if last is None:
        return "no job has ever run: start `hotline worker`"
    age = (now - last).total_seconds()
    if age > settings.WORKER_STALE_SECONDS:
        return (
            f"no job started for {int(age)} s (limit {settings.WORKER_STALE_SECONDS} s): is `hotline worker` running?"
        )
    return "ok"


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the database answers, every migration is applied, the worker is alive.
    503 with the reasons otherwise, so a load balancer takes this process out of rotation."""
    checks: dict[str, str] = {}
    for name, check in (("database", _database), ("migrations", _migrations)):
        try:
            checks[name] = check()
        except Exception as exc:  # any failure is a "not ready" with its reason, never a 500
            checks[name] = f"{type(exc).__name__}: {exc}"[:300]
    if checks["database"] == "ok":
        try:
            checks["worker"] = _worker(timezone.now())
        except Exception as exc:
            checks["worker"] = f"{type(exc).__name__}: {exc}"[:300]
    else:
        checks["worker"] = "unknown: no database"
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


def _may_scrape(request: HttpRequest) -> bool:
    address = request.META.get("REMOTE_ADDR", "")
    if address in settings.METRICS_ALLOWED:
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format. Only the Prometheus server reads it (HOTLINE_METRICS_ALLOWED, else
    loopback): the figures describe the centre's workload and are not for the public."""
    if not _may_scrape(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
