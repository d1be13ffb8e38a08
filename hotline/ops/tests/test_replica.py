"""The read replica against a real streaming replica: scripts/start-replica runs a primary (5441)
and a standby streaming from it (5442) as two extra PostgreSQL clusters on this machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PRIMARY = "postgres://postgres@127.0.0.1:5441/hotline_replica_test"
REPLICA = "postgres://postgres@127.0.0.1:5442/hotline_replica_test"
PROBE = Path(__file__).with_name("replica_probe.py")

# Once per CI run, in its PostgreSQL leg: the test brings its own clusters, so running it again on
# the SQLite leg would prove nothing new.
pytestmark = pytest.mark.skipif(
    not (os.environ.get("HOTLINE_DATABASE_URL") or "").startswith("postgres"),
    reason="runs with the PostgreSQL suite (HOTLINE_DATABASE_URL=postgres://…)",
)


def _clusters_running() -> str:
    for port in (5441, 5442):
        done = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)], capture_output=True)
        if done.returncode != 0:
            return f"no PostgreSQL on 127.0.0.1:{port}: run scripts/start-replica (CI does)"
    return ""


@pytest.fixture(scope="module")
def replica_pair():
    reason = _clusters_running()
    if reason:
        if os.environ.get("HOTLINE_REPLICA_REQUIRED") == "True":
            pytest.fail(reason)
        pytest.skip(reason)
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            "5441",
            "-U",
            "postgres",
            "-tAc",
            "SELECT 1 FROM pg_database WHERE datname = 'hotline_replica_test'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", "5441", "-U", "postgres", "-c", "CREATE DATABASE hotline_replica_test"],
            capture_output=True,
            check=True,
        )
    return PRIMARY, REPLICA


def test_reading_pages_read_the_replica_and_a_write_pins_the_primary(replica_pair, tmp_path):
    primary, replica = replica_pair
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": primary,
        "HOTLINE_DATABASE_REPLICA_URL": replica,
        "HOTLINE_VAR_DIR": str(tmp_path),
        "HOTLINE_ALLOWED_HOSTS": "testserver",
    }
    env.pop("HOTLINE_REDIS_URL", None)
    done = subprocess.run([sys.executable, str(PROBE)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    # A real standby: in recovery, refusing writes, receiving the primary's rows.
    assert out["replica_in_recovery"] is True and out["replica_refuses_writes"] is True
    assert out["replicated_within_s"] < 20
    # The dashboard reads its figures from the replica. The primary gives only the session and the
    # signed-in user, which the session limits check before any routing (and a fresh sign-in must
    # never be missed on a lagging replica).
    assert out["dashboard"]["status"] == 200 and out["dashboard"]["replica"] > 0
    assert all(
        sql.startswith(('SELECT "django_session"', 'SELECT "auth_user"')) for sql in out["dashboard"]["primary_sql"]
    )
    # Pages that act (the pool) read the primary.
    assert out["pool"]["status"] == 200 and out["pool"]["replica"] == 0
    # A write (any POST) pins the client to the primary for a while: its next page shows its own write.
    assert out["post"]["replica"] == 0 and out["pinned_cookie"] is True
    assert out["dashboard_after_write"]["replica"] == 0 and out["dashboard_after_write"]["primary"] > 0
    assert out["dashboard_later"]["replica"] > 0
