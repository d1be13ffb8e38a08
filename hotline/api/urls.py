from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _

from .api import api


def no_such_endpoint(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Anything under /api/v1/ that is no endpoint: the API's JSON error, not the site's HTML page."""
    request.api_error_code = "no_endpoint"  # type: ignore[attr-defined]
    return JsonResponse({"code": "no_endpoint", "message": _("There is no such endpoint.")}, status=404)


urlpatterns = [path("", api.urls), re_path(r"^(?P<rest>.*)$", no_such_endpoint)]
