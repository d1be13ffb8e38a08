"""Run by test_replica.py in its own process, on the primary and replica that
scripts/start-replica started: prints, as JSON, which database each page read."""

from __future__ import annotations

import json
import os
import sys
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def reads(client: Client, method: str, path: str) -> dict:
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = getattr(client, method)(path)
    return {
        "status": response.status_code,
        "primary": len(primary),
        "replica": len(replica),
        "primary_sql": [q["sql"][:160] for q in primary.captured_queries],
    }


def main() -> None:
    setup_test_environment()
    out: dict = {}
    call_command("migrate", interactive=False, verbosity=0)
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        out["replica_in_recovery"] = cursor.fetchone()[0]
    try:
        with connections["replica"].cursor() as cursor:
            cursor.execute("CREATE TABLE written_on_a_replica (i int)")
        out["replica_refuses_writes"] = False
    except Exception as exc:
        out["replica_refuses_writes"] = "read-only" in str(exc)

    name = f"probe-{uuid.uuid4().hex[:10]}"
    user = get_user_model().objects.create_superuser(name, password=uuid.uuid4().hex)
    started = time.monotonic()
    while not get_user_model().objects.using("replica").filter(username=name).exists():
        if time.monotonic() - started > 20:
            raise SystemExit("the replica did not receive the new user within 20 s")
        time.sleep(0.05)
    out["replicated_within_s"] = round(time.monotonic() - started, 3)

    client = Client()
    client.force_login(user)
    # The login's session row must have reached the replica before a replica page can read it.
    key = client.session.session_key
    from django.contrib.sessions.models import Session

    while not Session.objects.using("replica").filter(session_key=key).exists():
        time.sleep(0.05)
    out["dashboard"] = reads(client, "get", "/dashboard/")
    out["pool"] = reads(client, "get", "/pool/")
    out["post"] = reads(client, "post", "/dashboard/")
    out["pinned_cookie"] = "hotline_primary_until" in client.cookies
    out["dashboard_after_write"] = reads(client, "get", "/dashboard/")
    client.cookies.pop("hotline_primary_until", None)
    out["dashboard_later"] = reads(client, "get", "/dashboard/")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
