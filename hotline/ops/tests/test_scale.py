"""Scale-out on existing engines: Redis for the cache and sessions, two workers at once."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from hotline.outbox.models import Delivery
from hotline.worker.models import JobRun

# The tests' own Redis database number, apart from the demo's (0) and anyone's cache.
REDIS_TEST_URL = os.environ.get("HOTLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _settings_with(env_extra: dict[str, str]) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], 'location': s.CACHES['default'].get('LOCATION'), "
        "'session': s.SESSION_ENGINE, 'routers': s.DATABASE_ROUTERS, 'aliases': sorted(s.DATABASES), "
        "'replica_test': s.DATABASES.get('replica', {}).get('TEST')}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("HOTLINE_REDIS_URL", "HOTLINE_DATABASE_REPLICA_URL")}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_settings_follow_the_environment():
    if not os.environ.get("HOTLINE_REDIS_URL") and not os.environ.get("HOTLINE_DATABASE_REPLICA_URL"):
        # This process was started without them: the embedded defaults.
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
        assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
        assert sorted(settings.DATABASES) == ["default"] and settings.DATABASE_ROUTERS == []
    scaled = _settings_with(
        {
            "HOTLINE_REDIS_URL": "redis://127.0.0.1:6379/3",
            "HOTLINE_DATABASE_REPLICA_URL": "postgres://reader@10.0.0.2:5432/hotline",
        }
    )
    assert scaled["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert scaled["location"] == "redis://127.0.0.1:6379/3"
    # Sessions go through Redis and are written through to the database: a Redis restart logs nobody out.
    assert scaled["session"] == "django.contrib.sessions.backends.cached_db"
    assert scaled["aliases"] == ["default", "replica"]
    assert scaled["routers"] == ["hotline.ops.replica.ReplicaRouter"]
    assert scaled["replica_test"]["MIRROR"] == "default"


@pytest.fixture
def redis_cache_settings():
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        reason = f"Redis is not reachable at {REDIS_TEST_URL} ({exc})"
        if os.environ.get("HOTLINE_REDIS_REQUIRED") == "True":
            pytest.fail(f"the Redis tests must run here: {reason}")
        pytest.skip(reason)
    prefix = f"hotline-test-{uuid.uuid4().hex[:8]}"
    config = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_TEST_URL,
        "KEY_PREFIX": prefix,
    }
    with override_settings(CACHES={"default": config}, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        yield config
        client = redis.Redis.from_url(REDIS_TEST_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def test_cache_is_shared_between_processes(redis_cache_settings):
    """What one web process counts (a throttle, a lockout), another sees: a second client with its
    own connection pool, as another process has, reads and increments the same figures."""
    first = caches["default"]
    first.set("throttle:203.0.113.9", 1, timeout=60)
    other = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": redis_cache_settings["KEY_PREFIX"]})
    assert other.get("throttle:203.0.113.9") == 1
    assert other.incr("throttle:203.0.113.9") == 2
    assert first.get("throttle:203.0.113.9") == 2
    # Unusual keys and values survive the trip.
    first.set("键:中文", {"手机": "139", "n": [1, 2]})
    assert other.get("键:中文") == {"手机": "139", "n": [1, 2]}
    assert other.get("missing") is None


@pytest.mark.django_db
def test_sessions_live_in_redis_and_survive_its_restart(redis_cache_settings, client, people):
    import redis

    client.force_login(people.supervisor)
    assert client.get("/pool/").status_code == 200
    raw = redis.Redis.from_url(REDIS_TEST_URL)
    keys = list(raw.scan_iter(f"{redis_cache_settings['KEY_PREFIX']}:*sessions*"))
    assert len(keys) == 1
    # Redis runs without persistence here: emptied, it is refilled from the database.
    raw.delete(*keys)
    assert client.get("/pool/").status_code == 200


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


JOBS = ["deliver", "deadline_scan", "escalate", "close_revisits", "rating_links"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_run_each_job_and_send_each_message_once(tmp_path: Path):
    """Two `hotline worker` processes on one database at the same moment: every job runs once
    (its row is claimed with a compare-and-set), every message goes out once (each delivery is
    claimed with a compare-and-set on its attempts), and both stop cleanly on SIGTERM."""
    now = timezone.now().replace(microsecond=0)
    for i in range(40):
        Delivery.objects.create(
            key=f"two-workers-{i}", address=f"1390000{i:04d}", body=f"消息{i}", next_attempt_at=now, created_at=now
        )
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": _database_url(),
        "HOTLINE_VAR_DIR": str(tmp_path),
        "HOTLINE_SMS_TRANSPORT": "file",
    }
    command = [sys.executable, "-m", "hotline.cli", "worker", "--now", now.isoformat(), "--sleep", "0.5"]
    for name in JOBS:
        command += ["--job", name]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    try:
        deadline = timezone.now() + dt.timedelta(seconds=60)
        while JobRun.objects.filter(name__in=JOBS, last_finished_at__isnull=False).count() < len(JOBS):
            assert timezone.now() < deadline, "the workers did not run their jobs within 60 s"
            assert all(w.poll() is None for w in workers), [w.communicate()[0] for w in workers]
            time.sleep(0.2)
        time.sleep(1.5)  # a few more ticks each, all of them not due
    finally:
        outputs = []
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            outputs.append(w.communicate(timeout=30)[0])
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert all("worker stopped" in out for out in outputs), outputs
    assert {row.name: row.runs for row in JobRun.objects.filter(name__in=JOBS)} == dict.fromkeys(JOBS, 1)
    lines = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()]
    keys = [line["key"] for line in lines]
    assert sorted(keys) == sorted(f"two-workers-{i}" for i in range(40))
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 40
    assert settings.OUTBOX["FILE"] != tmp_path / "outbox.jsonl"  # the test process's own outbox is untouched
