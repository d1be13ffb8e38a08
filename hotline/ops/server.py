"""`hotline serve`: the site on gunicorn, with the settings checked before it starts."""

from __future__ import annotations

import ipaddress
import os
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

# The key the settings fall back to without HOTLINE_SECRET_KEY: public, so never for production.
DEMO_SECRET_KEY = "insecure-local-demo-key-change-me"


def loopback(bind: str) -> bool:
    host = bind.rsplit(":", 1)[0].strip("[]") if ":" in bind else bind
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def problems(*, demo: bool, bind: str) -> list[str]:
    """Why these settings must not serve the public; empty when they may.

    The demo (``--demo``) may use the demo key and DEBUG, but only on a loopback address."""
    found = []
    if demo:
        if not loopback(bind):
            found.append(f"--demo serves only on 127.0.0.1 or localhost, not {bind}")
        return found
    if settings.SECRET_KEY == DEMO_SECRET_KEY:
        found.append("HOTLINE_SECRET_KEY is the public demo key: set a secret key of your own (50+ random characters)")
    elif len(settings.SECRET_KEY) < 32:
        found.append("HOTLINE_SECRET_KEY is shorter than 32 characters")
    if settings.DEBUG:
        found.append("HOTLINE_DEBUG=True shows code and settings to anyone who causes an error")
    if not settings.ALLOWED_HOSTS:
        found.append("HOTLINE_ALLOWED_HOSTS is empty: no request would be answered")
    if "*" in settings.ALLOWED_HOSTS:
        found.append("HOTLINE_ALLOWED_HOSTS contains '*': name the host names the centre uses")
    return found


def prepare_metrics_dir() -> Path:
    """A fresh directory for the serve workers' metric files (prometheus-client multiprocess mode)."""
    path = Path(settings.VAR_DIR) / "prometheus"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    # prometheus-client picks its value class when imported; it may have been imported already
    # (the URL conf, a check), so pick again now: every metric child created from here on, in
    # this process and in the forked workers, writes to the shared files.
    from prometheus_client import values

    values.ValueClass = values.get_value_class()
    return path


def _worker_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


class HotlineServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        assert self.cfg is not None
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def serve(*, bind: str, workers: int, threads: int, timeout: int) -> None:
    """Run gunicorn in this process until it is told to stop (Ctrl+C, SIGTERM)."""
    HotlineServer(
        {
            "bind": [bind],
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
            "timeout": timeout,
            "graceful_timeout": 20,
            # A worker serves this many requests and is replaced: a slow leak cannot grow for weeks.
            "max_requests": 2000,
            "max_requests_jitter": 200,
            # Access lines come from hotline.ops.middleware (JSON, with the request id).
            "accesslog": None,
            "errorlog": "-",
            "proc_name": "hotline",
            # No control socket in the home directory: two servers on one machine would share it.
            "control_socket_disable": True,
            # SO_REUSEPORT: after the master dies (SIGKILL, OOM), its orphaned processes keep the
            # port until they notice (up to timeout/2 s); a restarted server binds beside them
            # instead of failing with "Address already in use" (found by bench.loadtest --kill-master).
            "reuse_port": True,
            "child_exit": _worker_exit,
            "forwarded_allow_ips": os.environ.get("HOTLINE_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        }
    ).run()
