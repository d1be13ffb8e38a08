"""`hotline serve`: the settings check, and one real gunicorn started with the database away."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from hotline.ops.server import DEMO_SECRET_KEY, loopback, problems

GOOD_KEY = "k" * 50


@override_settings(SECRET_KEY=GOOD_KEY, DEBUG=False, ALLOWED_HOSTS=["12345.example.cn"])
def test_production_settings_pass():
    assert problems(demo=False, bind="0.0.0.0:8000") == []
    call_command("serve", "--check", "--bind", "0.0.0.0:8000")


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"SECRET_KEY": DEMO_SECRET_KEY}, "public demo key"),
        ({"SECRET_KEY": "short"}, "shorter than 32"),
        ({"DEBUG": True}, "HOTLINE_DEBUG=True"),
        ({"ALLOWED_HOSTS": []}, "ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": ["*"]}, "contains '*'"),
    ],
)
def test_production_refuses_unsafe_settings(settings, words):
    base = {"SECRET_KEY": GOOD_KEY, "DEBUG": False, "ALLOWED_HOSTS": ["12345.example.cn"]}
    with override_settings(**{**base, **settings}):
        found = problems(demo=False, bind="0.0.0.0:8000")
        assert len(found) == 1 and words in found[0]
        with pytest.raises(CommandError, match="refusing to serve"):
            call_command("serve", "--check")


@override_settings(SECRET_KEY=DEMO_SECRET_KEY, DEBUG=True)
def test_demo_mode_only_on_loopback():
    assert problems(demo=True, bind="127.0.0.1:8000") == []
    assert problems(demo=True, bind="localhost:8000") == []
    assert "only on 127.0.0.1" in problems(demo=True, bind="0.0.0.0:8000")[0]
    assert "only on 127.0.0.1" in problems(demo=True, bind="10.1.2.3:80")[0]
    assert loopback("[::1]:8000") and not loopback("garbage")


@override_settings(SECRET_KEY=GOOD_KEY, DEBUG=False, ALLOWED_HOSTS=["x"])
@pytest.mark.parametrize("args", [["--workers", "0"], ["--workers", "65"], ["--threads", "0"]])
def test_bad_counts_refused(args):
    with pytest.raises(CommandError):
        call_command("serve", "--check", *args)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_real_server_with_the_database_away(tmp_path: Path):
    """One gunicorn with two processes, its database unreachable (nothing listens on port 1):
    it still answers /healthz, serves hashed static files compressed and cached for a year,
    reports not ready with the reason, gives pages a Chinese 503 instead of a 500, and stops
    cleanly on Ctrl+C."""
    port = _free_port()
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        "HOTLINE_VAR_DIR": str(tmp_path),
        "HOTLINE_SECRET_KEY": GOOD_KEY,
        "HOTLINE_ALLOWED_HOSTS": "127.0.0.1",
        "HOTLINE_LOG_LEVEL": "WARNING",
    }
    env.pop("HOTLINE_STATIC_MANIFEST", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "hotline.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: collectstatic compresses every file first, and a loaded CI machine is slow.
        give_up = time.monotonic() + 180
        while True:
            try:
                status, _h, body = _get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                if time.monotonic() > give_up:
                    pytest.fail("the server did not answer within 180 s")
                time.sleep(0.2)
        assert (status, body) == (200, b"ok\n")

        status, headers, body = _get(f"{base}/readyz")
        assert status == 503
        assert b'"ready": false' in body and b"OperationalError" in body

        status, headers, body = _get(f"{base}/public/")
        assert status == 503, body[:500]
        page = body.decode()
        assert "服务暂时不可用" in page and headers["Retry-After"] == "30"
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])

        css = next((tmp_path / "static" / "web").glob("site.*.css"))  # hashed by collectstatic
        status, headers, body = _get(f"{base}/static/web/{css.name}")
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
    finally:
        server.send_signal(signal.SIGINT)
        try:
            out, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            out, _ = server.communicate()
    assert server.returncode == 0, out[-2000:]
    assert "Shutting down: Master" in out
