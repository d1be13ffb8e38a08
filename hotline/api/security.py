"""Who calls: a partner client by its bearer token, from an allowed address, within its rate."""

from __future__ import annotations

import datetime as dt
import hmac

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from .errors import ApiError
from .models import TOKEN_PREFIX, ApiCall, PartnerClient, hash_token

RATE_WINDOW = dt.timedelta(minutes=1)


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded-for header is the caller's word. A proxy in front sets
    # REMOTE_ADDR itself (gunicorn's forwarded_allow_ips), which is where trust is configured.
    return request.META.get("REMOTE_ADDR", "")


def authenticate(request: HttpRequest, token: str) -> PartnerClient:
    """The active client holding ``token``, or ApiError (401 bad token, 403 address, 429 rate)."""
    if not token.startswith(TOKEN_PREFIX) or "." not in token or len(token) > 200:
        raise ApiError(401, "unauthenticated", _("The token is missing or not valid."))
    prefix = token[len(TOKEN_PREFIX) :].split(".", 1)[0]
    client = (
        PartnerClient.objects.filter(token_prefix=prefix, is_active=True).select_related("account", "agency").first()
    )
    if client is None or not hmac.compare_digest(client.token_hash, hash_token(token)):
        raise ApiError(401, "unauthenticated", _("The token is missing or not valid."))
    request.api_client = client  # type: ignore[attr-defined]
    if not client.allows_ip(client_ip(request)):
        raise ApiError(403, "ip_not_allowed", _("Calls from this address are not allowed for this client."))
    since = timezone.now() - RATE_WINDOW
    # The audit rows are the counter: every worker process sees them, no shared cache needed.
    if ApiCall.objects.filter(client=client, at__gte=since).count() >= client.rate_limit:
        raise ApiError(429, "rate_limited", _("Too many calls: at most %(n)d a minute.") % {"n": client.rate_limit})
    return client


class PartnerBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> PartnerClient:
        return authenticate(request, token)


def need(request: HttpRequest, scope: str) -> PartnerClient:
    client: PartnerClient = request.auth  # type: ignore[attr-defined]
    if scope not in client.scope_set:
        raise ApiError(403, "scope", _("This client may not do this (scope %(scope)s).") % {"scope": scope})
    return client
