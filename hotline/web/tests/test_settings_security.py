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
from django.test import Client

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


@pytest.mark.parametrize("key", [REAL_KEY, secrets.token_hex(32)], ids=["urlsafe-key", "hex-key"])
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


def test_m5_behind_a_tls_proxy_a_browser_can_post_and_cookies_are_secure(people, settings):
    """A login POST from https://… through a proxy that ends TLS was refused with 403 (CSRF origin)."""
    from django.test import Client

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    browser = Client(enforce_csrf_checks=True)
    # As a proxy passes it on: the Host header without a port, the scheme in X-Forwarded-Proto.
    proxied = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_ORIGIN": "https://testserver", "HTTP_HOST": "testserver"}
    form = browser.get("/login/", **proxied)
    assert form.cookies["csrftoken"]["secure"] and "max-age=31536000" in form["Strict-Transport-Security"]
    token = form.cookies["csrftoken"].value
    signed_in = browser.post(
        "/login/", {"username": "operator", "password": "pw-for-tests-only", "csrfmiddlewaretoken": token}, **proxied
    )
    assert signed_in.status_code == 302 and signed_in.cookies["sessionid"]["secure"]
    # A foreign origin is still refused.
    evil = Client(enforce_csrf_checks=True)
    evil.get("/login/", **proxied)
    refused = evil.post(
        "/login/",
        {
            "username": "operator",
            "password": "pw-for-tests-only",
            "csrfmiddlewaretoken": evil.cookies["csrftoken"].value,
        },
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_HOST="testserver",
        HTTP_ORIGIN="https://evil.example",
    )
    assert refused.status_code == 403


def test_m5_the_https_settings_come_from_the_environment():
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
            "s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, len(s.TRUSTED_PROXIES))",
        ],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")},
            "DJANGO_SETTINGS_MODULE": "hotline.settings",
            "HOTLINE_VAR_DIR": "/tmp",
            "HOTLINE_HTTPS": "True",
            "HOTLINE_PROXY_SSL_HEADER": "True",
            "HOTLINE_CSRF_TRUSTED_ORIGINS": "https://12345.xining.gov.cn",
            "HOTLINE_TRUSTED_PROXIES": "10.0.0.1,172.16.0.0/12",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout.split("\n")[0] == (
        "True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') ['https://12345.xining.gov.cn'] 2"
    ), run.stderr
    bad = _start(HOTLINE_TRUSTED_PROXIES="10.0.0.1,not-an-ip")
    assert bad.returncode != 0 and "not-an-ip" in bad.stderr


def test_every_response_carries_the_security_headers(client, people):
    client.force_login(people.supervisor)
    responses = [client.get(u) for u in ("/pool/", "/no-such-page/", "/public/", "/login/")]
    responses.append(Client().get("/public/track/"))
    for response in responses:
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


def test_password_rules(people):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1A!", "1234567890123", "password123", "alllowercaseletters", "operator2026x"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=people.operator)
    validate_password("Qinghai-12345-hotline", user=people.operator)
