"""Finding H4 of 2026-11-30: production ran on the public demo key unless HOTLINE_REQUIRE_SECRET
was exactly "True", and then accepted any key; a rating link signed with the demo key closed a
ticket. Settings are read once per process, so each case starts a fresh one."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.core import signing
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation.links import SALT, rating_token
from hotline.handling import services as handling
from hotline.settings import DEMO_SECRET_KEY, secret_key_problem
from hotline.tickets.models import Status, Ticket
from hotline.tickets.tests.helpers import at, new_ticket, township_matter

REAL_KEY = secrets.token_urlsafe(48)


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="hotline.settings", HOTLINE_VAR_DIR=env.get("HOTLINE_VAR_DIR", "/tmp"))
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_the_demo_key_a_weak_key_and_a_vague_switch():
    refused = {
        "no key": _start(HOTLINE_REQUIRE_SECRET="True"),
        "demo key": _start(HOTLINE_REQUIRE_SECRET="True", HOTLINE_SECRET_KEY=DEMO_SECRET_KEY),
        "short key": _start(HOTLINE_REQUIRE_SECRET="True", HOTLINE_SECRET_KEY="x"),
        "yes": _start(HOTLINE_REQUIRE_SECRET="yes"),
        "true": _start(HOTLINE_REQUIRE_SECRET="true"),
    }
    for case, run in refused.items():
        assert run.returncode != 0 and "ImproperlyConfigured" in run.stderr, case
    assert "demo key" in refused["demo key"].stderr and "50 characters" in refused["short key"].stderr
    started = _start(HOTLINE_REQUIRE_SECRET="True", HOTLINE_SECRET_KEY=REAL_KEY)
    assert started.returncode == 0 and "started" in started.stdout, started.stderr


def test_the_deploy_check_names_the_demo_key(settings):
    assert secret_key_problem(DEMO_SECRET_KEY) and secret_key_problem("a" * 60) and not secret_key_problem(REAL_KEY)
    settings.SECRET_KEY = DEMO_SECRET_KEY
    with pytest.raises(SystemCheckError, match="hotline.E001"):
        call_command("check", "--deploy", "--tag", "security")


@pytest.mark.parametrize("key", [REAL_KEY, secrets.token_hex(32)])
def test_a_rating_link_forged_with_the_demo_key_is_dead_under_a_real_key(people, client, settings, key):
    settings.SECRET_KEY = key
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    handling.sign(ticket, unit=people.township, at=at(2026, 11, 2, 10))
    handling.reply(ticket, unit=people.township, result="已清理占道摊点。", at=at(2026, 11, 3, 15))
    ticket.refresh_from_db()
    assert ticket.replied_at is not None
    forged = signing.dumps(
        {"t": ticket.pk, "r": int(ticket.replied_at.timestamp())}, key=DEMO_SECRET_KEY, salt=SALT, compress=True
    )
    answer = {"contacted": "yes", "solved": "yes", "satisfaction": "satisfied", "comment": "forged"}
    assert client.get(f"/s/rate/{forged}/").status_code == 410
    assert client.post(f"/s/rate/{forged}/", answer).status_code == 410
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REPLIED
    # The link the platform itself sends still works under the real key.
    assert client.get(f"/s/rate/{rating_token(ticket)}/").status_code == 200
