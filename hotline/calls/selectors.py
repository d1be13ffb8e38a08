"""Reads of calls: the operator's current call (the console's pop-up) and the call-back list."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Call

if TYPE_CHECKING:
    from hotline.orgs.permissions import User

# A ringing or answered call older than this is a lost "ended" event, not a call on the line.
STALE = dt.timedelta(hours=2)


def current_call(operator: User, *, now: dt.datetime) -> Call | None:
    if not operator.is_authenticated:
        return None
    return (
        Call.objects.filter(
            operator=operator, state__in=(Call.State.RINGING, Call.State.ANSWERED), rang_at__gte=now - STALE
        )
        .order_by("-rang_at")
        .first()
    )


def callbacks() -> QuerySet[Call]:
    """Missed calls not yet called back, the nearest deadline first (回拨清单)."""
    return Call.objects.filter(state=Call.State.MISSED, called_back_at=None).order_by("callback_due")
