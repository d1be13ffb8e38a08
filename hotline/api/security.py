"""Who calls: a partner client by its bearer token, from an allowed address, within its rate."""

from __future__ import annotations

import datetime as dt
import hmac
import sqlite3

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from .errors import ApiError
from .models import TOKEN_PREFIX, PartnerClient, RateWindow, hash_token


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
    calls = count_call(client, now=timezone.now())
    if not client.allows_ip(client_ip(request)):
        raise ApiError(403, "ip_not_allowed", _("Calls from this address are not allowed for this client."))
    if calls > client.rate_limit:
        raise ApiError(429, "rate_limited", _("Too many calls: at most %(n)d a minute.") % {"n": client.rate_limit})
    return client


def count_call(client: PartnerClient, *, now: dt.datetime) -> int:
    """Count one call in the client's current minute; returns the minute's count so far.

    A fixed window in the database: every worker process sees it, and one row update per call
    costs less than counting the audit rows (18,000 of them a minute at 300 calls/s)."""
    minute = now.replace(second=0, microsecond=0)
    count = _bump(client, minute)
    if count is None:
        try:
            with transaction.atomic():
                RateWindow.objects.create(client=client, minute=minute, count=1)
            return 1
        except IntegrityError:  # another worker opened the minute first
            count = _bump(client, minute)
    return count or 1


def _bump(client: PartnerClient, minute: dt.datetime) -> int | None:
    """The window's new count, or None when the minute has no row yet: one statement where the
    database returns the updated row, two elsewhere."""
    if connection.vendor == "postgresql" or (connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35)):
        table = connection.ops.quote_name(RateWindow._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET count = count + 1 WHERE client_id = %s AND minute = %s RETURNING count",
                [client.pk, connection.ops.adapt_datetimefield_value(minute)],
            )
            row = cursor.fetchone()
        return row[0] if row else None
    windows = RateWindow.objects.filter(client=client, minute=minute)
    if not windows.update(count=F("count") + 1):
        return None
    return windows.values_list("count", flat=True).first()


def forget_windows(*, now: dt.datetime) -> int:
    return RateWindow.objects.filter(minute__lt=now - dt.timedelta(hours=1)).delete()[0]


class PartnerBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> PartnerClient:
        return authenticate(request, token)


def need(request: HttpRequest, scope: str) -> PartnerClient:
    client: PartnerClient = request.auth  # type: ignore[attr-defined]
    if scope not in client.scope_set:
        raise ApiError(403, "scope", _("This client may not do this (scope %(scope)s).") % {"scope": scope})
    return client
