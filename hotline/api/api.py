"""The versioned JSON API, /api/v1/: a thin edge over the same services as the pages.

Each endpoint parses its input (a schema), finds the ticket through a selector scoped to the
caller, calls one service and maps the domain error. Status changes only in
``tickets/transitions.py``; this module never writes a ticket itself.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from hotline.tickets.transitions import TransitionError

from .errors import ApiError, from_validation
from .security import PartnerBearer

api = NinjaAPI(
    title="12345 热线平台 API",
    version="1",
    description="合作方接入接口：诉求提交、状态查询、承办单位办理、110 联动、话务事件。见 docs/api.md。",
    urls_namespace="api-v1",
    auth=PartnerBearer(),
)


def error_response(request: HttpRequest, exc: ApiError) -> HttpResponse:
    request.api_error_code = exc.code  # type: ignore[attr-defined]
    response = api.create_response(request, exc.body(), status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(request, exc)


@api.exception_handler(SchemaError)
def _schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path"))
        fields.setdefault(loc or "__all__", []).append(str(error.get("msg", "")))
    return error_response(request, ApiError(400, "invalid_input", _("The input does not match the schema."), fields))


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(request, from_validation(exc))


@api.exception_handler(TransitionError)
def _transition_error(request: HttpRequest, exc: TransitionError) -> HttpResponse:
    return error_response(request, ApiError(409, exc.code, str(exc)))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, ApiError(401, "unauthenticated", _("The token is missing or not valid.")))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = "bad_request" if exc.status_code == 400 else f"http_{exc.status_code}"
    return error_response(request, ApiError(exc.status_code, code, _("The request could not be read.")))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, ApiError(404, "not_found", _("Not found.")))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, ApiError(413, "too_large", _("The request body is too large.")))


from . import calls, partner, transfers, unit  # noqa: E402  (the routers register on ``api``)

api.add_router("/tickets", partner.router)
api.add_router("/unit", unit.router)
api.add_router("/transfers", transfers.router)
api.add_router("/calls", calls.router)
