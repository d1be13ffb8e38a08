"""Writing and reading the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from hotline.clientip import client_ip

from .context import current_request
from .models import AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest

Kind = AuditEvent.Kind


def record(
    kind: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    username: str = "",
    target: str = "",
    detail: str = "",
    at: dt.datetime | None = None,
) -> AuditEvent:
    """One audit row. ``request`` (or the request being served) gives the address and, unless
    ``actor`` is given, the person; ``username`` is for a sign-in that named no real account."""
    request = request if request is not None else current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    name = username or (actor.get_username() if actor is not None else "")
    return AuditEvent.objects.create(
        at=at or timezone.now(),
        kind=kind,
        actor=actor,
        username=name[:150],
        ip=(client_ip(request) if request is not None else "")[:45],
        target=target[:200],
        detail=detail,
    )


def retention_days() -> int:
    return int(settings.AUDIT_RETENTION_DAYS)


def prune(now: dt.datetime) -> int:
    """Delete the rows older than the retention period; the number deleted."""
    deleted, _by_model = AuditEvent.objects.filter(at__lt=now - dt.timedelta(days=retention_days())).delete()
    return deleted
