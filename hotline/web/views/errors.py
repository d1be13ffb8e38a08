"""Error pages (403, 404, 500, CSRF failure) in Chinese and in the site's look, with a way back.

A citizen (the portal, the SMS rating link, anyone not signed in) gets the portal's look and a link
to the portal; staff get the workbench look and a link to their home page. The 500 page renders
without the request's context processors: whatever broke may be what they read (the database)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _

PUBLIC_PREFIXES = ("/public/", "/s/rate/")


def public_side(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return request.path.startswith(PUBLIC_PREFIXES) or user is None or not user.is_authenticated


def _page(request: HttpRequest, *, status: int, heading: str, text: str) -> HttpResponse:
    side = "public" if public_side(request) else "staff"
    body = loader.render_to_string(
        f"errors/{side}.html", {"status": status, "heading": heading, "text": text}, request=request
    )
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request, status=400, heading=_("The request could not be understood"), text=_("Please go back and try again.")
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        status=403,
        heading=_("You may not open this page"),
        text=_("Your account has no access to it. If you need it for your work, ask the system administrator."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        status=404,
        heading=_("This page does not exist"),
        text=_("The address may be mistyped, or what it pointed to no longer exists."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        status=403,
        heading=_("The form has expired"),
        text=_(
            "For your safety a form can only be sent from a page that is still valid. "
            "Go back, reload the page and send the form again."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    side = "public" if request.path.startswith(PUBLIC_PREFIXES) else "staff"
    body = loader.get_template(f"errors/{side}.html").render(
        {
            "status": 500,
            "heading": _("Something went wrong on our side"),
            "text": _("The error has been logged. Please try again in a moment."),
            "bare": True,
        }
    )
    return HttpResponseServerError(body)
