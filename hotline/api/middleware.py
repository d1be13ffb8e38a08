"""One audit row per API call (client, endpoint, ticket, result); the API speaks Chinese."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from .models import ApiCall
from .security import client_ip

AUDITED = ("/api/v1/", "/open311/")
NOT_AUDITED = ("/api/v1/docs", "/api/v1/openapi.json", "/open311/v2/discovery")


class ApiAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(AUDITED):
            return self.get_response(request)
        with translation.override("zh-hans"):
            response = self.get_response(request)
        if not request.path.startswith(NOT_AUDITED):
            client = getattr(request, "api_client", None)
            ip = client_ip(request)
            ApiCall.objects.create(
                client=client,
                method=(request.method or "")[:8],
                path=request.path[:200],
                ticket_code=str(getattr(request, "api_ticket", ""))[:24],
                status=response.status_code,
                code=str(getattr(request, "api_error_code", ""))[:40],
                ip=ip or None,
                at=timezone.now(),
            )
        return response
