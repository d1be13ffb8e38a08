"""The door's own checks on every request, before any view runs: hostile input refused early, and
staff sessions that end (等保 level 3). Findings L4, L5 and item 7 of issue 14."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from hotline.audit.signals import SEEN_AT, SIGNED_IN_AT  # set at sign-in

if TYPE_CHECKING:
    from django.http import HttpRequest

Handler = Callable[["HttpRequest"], HttpResponse]


def max_request_bytes() -> int:
    """The largest body a request may carry: a full reply's attachments and a megabyte of form."""
    configured: int | None = getattr(settings, "MAX_REQUEST_BYTES", None)
    if configured:
        return configured
    hotline = settings.HOTLINE
    return hotline["ATTACHMENT_MAX_FILES"] * hotline["ATTACHMENT_MAX_BYTES"] + 1024 * 1024


class RequestLimitsMiddleware:
    """Refuse, before a byte of the body is read, a body larger than any form here accepts (L5: a
    150 MB upload was spooled to disk before the reply form said "over 10 MB"); drop a NUL character
    from the query string and refuse one in a posted form: no field holds it and PostgreSQL cannot
    compare it (L4: 500)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest(_("The request could not be read."))
        if length > max_request_bytes():
            response = HttpResponse(
                _("The request is too large (%(mb).0f MB at most).") % {"mb": max_request_bytes() / 1024 / 1024},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
            response["Connection"] = "close"
            return response
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            # A filter shrugs off junk: the NUL goes before anything reads the query (request.GET
            # is parsed from QUERY_STRING on first use), and the page answers as for the rest.
            request.META["QUERY_STRING"] = query.replace("%00", "").replace("\x00", "")
        if request.method == "POST" and length and length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            content_type = request.META.get("CONTENT_TYPE", "")
            if content_type.startswith("application/x-www-form-urlencoded") and any(
                "\x00" in value for values in request.POST.lists() for value in values[1]
            ):
                return HttpResponseBadRequest(_("The request contains a character that is not allowed."))
        return self.get_response(request)


BACKGROUND = "X-Hotline-Background"


class SessionLimitsMiddleware:
    """A staff session ends after ``SESSION_IDLE_MINUTES`` without a request and, however busy,
    ``SESSION_MAX_HOURS`` after it began; the next request asks for the password again."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            began = session.setdefault(SIGNED_IN_AT, now)
            seen = session.get(SEEN_AT, now)
            idle = now - seen > settings.SESSION_IDLE_MINUTES * 60
            old = now - began > settings.SESSION_MAX_HOURS * 3600
            if idle or old:
                logout(request)
                login = redirect_to_login(request.get_full_path())
                if request.headers.get("HX-Request"):  # htmx swaps in nothing and follows this
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login["Location"]
                    return response
                return login
            # Written at most once a minute: a session saved on every request costs a write each.
            # A page's own polling (a top-bar count refreshing itself) sends BACKGROUND and is not
            # activity, or an unattended screen would never time out.
            background = request.headers.get(BACKGROUND) == "1"
            if not background and (now - seen >= 60 or SEEN_AT not in session):
                session[SEEN_AT] = now
        return self.get_response(request)
