"""/healthz, /readyz, /metrics, the request id in JSON logs, and the 503 page while the database is away."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from hotline.outbox.models import Delivery
from hotline.tickets.models import Status, Ticket
from hotline.tickets.tests.helpers import new_ticket
from hotline.worker.models import JobRun

pytestmark = pytest.mark.django_db


def test_healthz_answers_and_carries_a_request_id(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert len(response["X-Request-ID"]) == 32
    # An id from the proxy in front is kept; a hostile one (too long, or with a line break that
    # would forge a log line) is replaced.
    assert client.get("/healthz", HTTP_X_REQUEST_ID="edge-1234abcd")["X-Request-ID"] == "edge-1234abcd"
    for hostile in ("x" * 65, "abc\ninjected", "short", ""):
        assert client.get("/healthz", HTTP_X_REQUEST_ID=hostile)["X-Request-ID"] != hostile
    assert client.post("/healthz").status_code == 405


def test_readyz_wants_a_recent_worker_heartbeat(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok" and checks["migrations"] == "ok"
    assert "hotline worker" in checks["worker"]

    JobRun.objects.create(name="deliver", last_started_at=timezone.now() - dt.timedelta(seconds=30))
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {
        "ready": True,
        "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
    }

    JobRun.objects.filter(name="deliver").update(
        last_started_at=timezone.now() - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS + 60)
    )
    response = client.get("/readyz")
    assert response.status_code == 503 and "no job started for" in response.json()["checks"]["worker"]


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _value(family, **labels) -> float:
    matches = [s.value for s in family.samples if all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(matches) == 1, (labels, family.samples)
    return matches[0]


def test_metrics_count_what_the_centre_has(client, people):
    for i in range(3):
        new_ticket(people.operator, content=f"第{i}个：小区门口占道经营，早晚高峰堵得走不动，希望管一管。")
    waiting = Ticket.objects.filter(status__in=[Status.REGISTERED, Status.RETURNED]).count()
    now = timezone.now()
    JobRun.objects.create(name="deliver", last_started_at=now - dt.timedelta(minutes=10))
    Delivery.objects.create(
        key="k1", address="139", body="b", state=Delivery.State.FAILED, next_attempt_at=now, created_at=now
    )
    Delivery.objects.create(
        key="k2", address="139", body="b", last_error="timeout", next_attempt_at=now, created_at=now
    )
    client.get("/healthz")

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    families = _families(response.content.decode())
    assert _value(families["hotline_tickets_taken_in"], channel="phone_12345") == 3
    assert _value(families["hotline_queue_depth"], queue="dispatch") == waiting
    assert _value(families["hotline_job_lag_seconds"], job="deliver") == pytest.approx(540, abs=5)
    assert _value(families["hotline_job_failing"], job="deliver") == 0
    assert _value(families["hotline_delivery_failures"], kind="given_up") == 1
    assert _value(families["hotline_delivery_failures"], kind="retrying") == 1
    assert {s.labels["level"] for s in families["hotline_overdue_tickets"].samples} == {
        "none",
        "reminder",
        "notice",
        "public",
    }
    latency = families["hotline_http_request_duration_seconds"]
    assert any(
        s.labels.get("view") == "healthz" and s.name.endswith("_count") and s.value >= 1 for s in latency.samples
    )


def test_metrics_only_for_the_scraper(client):
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="not an address").status_code == 403
    with override_settings(METRICS_ALLOWED=["10.20.30.40"]):
        assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200


def test_unknown_paths_do_not_grow_the_series(client):
    for i in range(20):
        client.get(f"/no-such-page-{i}/")
    text = client.get("/metrics").content.decode()
    assert "no-such-page" not in text
    assert 'view="unmatched"' in text


def test_database_away_gives_the_chinese_503_page(client, caplog):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    client.raise_request_exception = False
    with connection.execute_wrapper(refuse), caplog.at_level(logging.INFO, logger="hotline.access"):
        response = client.get("/public/", HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_X_REQUEST_ID="trace-000111")
    assert response.status_code == 503
    assert "服务暂时不可用" in response.content.decode()
    assert response["Retry-After"] == "30"
    # Every log line of the request carries its id, in JSON.
    formatter_config = settings.LOGGING["formatters"]["json"]
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(formatter_config["fmt"], rename_fields=formatter_config["rename_fields"])
    lines = [json.loads(formatter.format(r)) for r in caplog.records if r.name == "hotline.access"]
    assert [line["status"] for line in lines if line["message"] == "request"] == [503]
    assert all(line["request_id"] == "trace-000111" for line in lines)
    assert any("database unavailable" in line["message"] for line in lines)


def test_a_programming_error_stays_a_500(client, people):
    """Only an unreachable database is a 503: a bug is still a 500, or it would hide."""
    client.force_login(people.supervisor)

    def broken(execute, sql, params, many, context):
        raise ZeroDivisionError("a bug")

    with connection.execute_wrapper(broken):
        client.raise_request_exception = False
        response = client.get("/pool/")
    assert response.status_code == 500


def test_sentry_only_with_a_dsn():
    code = "import django; django.setup(); import sentry_sdk; print(sentry_sdk.get_client().is_active())"
    env = {k: v for k, v in os.environ.items() if k != "HOTLINE_SENTRY_DSN"}
    off = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    env["HOTLINE_SENTRY_DSN"] = "http://public@127.0.0.1:9/1"
    on = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert (off.stdout.strip(), on.stdout.strip()) == ("False", "True")
