"""Reads for reports, insight and dashboards from a PostgreSQL read replica.

With ``HOTLINE_DATABASE_REPLICA_URL`` set, the settings add a ``replica`` database and this router.
The middleware decides per request: a GET of a reading page (``REPLICA_PATHS``) reads the replica;
everything else, and every write, goes to the primary. A client that wrote something (any POST,
PUT, PATCH or DELETE) reads the primary for ``REPLICA_PIN_SECONDS`` afterwards (a cookie), so the
page right after a write never shows the replica's slightly older state; within one request, the
first write pins the rest of the request to the primary as well.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# Pages that only read, and may be a few hundred milliseconds behind: reports, insight, dashboards.
REPLICA_PATHS = ("/reports/", "/insight/", "/dashboard/")
PIN_COOKIE = "hotline_primary_until"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_reads_from_replica: ContextVar[bool] = ContextVar("hotline_reads_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_from_replica() -> bool:
    return _reads_from_replica.get()


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return REPLICA if _reads_from_replica.get() else None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        # A request that writes reads its own writes: the rest of it goes to the primary.
        _reads_from_replica.set(False)
        return None

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        return True  # one database, two copies: any two rows may be related

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db != REPLICA  # the replica follows the primary's schema; nobody migrates it


def pinned(request: HttpRequest, now: float) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > now
    except ValueError:
        return False


class ReplicaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        use = (
            replica_configured()
            and request.method in SAFE_METHODS
            and request.path.startswith(REPLICA_PATHS)
            and not pinned(request, now)
        )
        token = _reads_from_replica.set(use)
        try:
            response = self.get_response(request)
        finally:
            _reads_from_replica.reset(token)
        if replica_configured() and request.method not in SAFE_METHODS:
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{now + seconds:.3f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
