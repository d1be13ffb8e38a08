"""The outermost middleware: a request id on every request, response and log line, one access-log
line and one latency observation per request, and a 503 page instead of a 500 while the database
is away."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from . import metrics
from .logs import REQUEST_ID

access = logging.getLogger("hotline.access")

# An id from a proxy in front (X-Request-ID) is kept when it looks like one, so one request can be
# followed through nginx, the web process and the logs; anything else gets a fresh id.
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Seconds a client is asked to wait before retrying while the database is away.
RETRY_AFTER = 30


def note_database_error(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """got_request_exception: remember that the request failed because the database is away.

    Django turns an exception raised anywhere (a view, a middleware, a template) into a 500
    response before it reaches us; this signal is sent while the exception is being handled."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OperationalError | InterfaceError):
        request.META["hotline.database_error"] = f"{type(error).__name__}: {error}"[:300]


def unavailable_response() -> HttpResponse:
    """The Chinese 503 page, rendered without a request: no context processor may touch the database."""
    response = HttpResponse(render_to_string("ops/unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class RequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _GOOD_ID.match(incoming) else uuid.uuid4().hex
        # Not reset when the response leaves: Django logs a failed request after the middleware
        # returns, and that line should carry the id too. The next request sets its own.
        REQUEST_ID.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        database_error = request.META.get("hotline.database_error")
        if database_error and response.status_code == 500:
            access.error("database unavailable: %s", database_error)
            response = unavailable_response()
        duration = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        metrics.observe_request(request.method or "", view, response.status_code, duration)
        response["X-Request-ID"] = request_id
        access.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "view": view,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
                "user_id": getattr(getattr(request, "user", None), "pk", None)
                if hasattr(request, "_cached_user")
                else None,
            },
        )
        return response
