"""Any change to the holiday table reloads the calendar and tells whoever keeps deadlines on it.

``calendar_changed`` is sent after the change commits; the ticket app listens and recomputes
provisional deadlines (this layer names nothing above it)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from .models import CalendarYear, SpecialDay
from .services import invalidate_calendar

calendar_changed = Signal()


@receiver([post_save, post_delete], sender=SpecialDay)
@receiver([post_save, post_delete], sender=CalendarYear)
def _table_changed(sender: type[SpecialDay | CalendarYear], **kwargs: Any) -> None:
    invalidate_calendar()
    if kwargs.get("raw"):
        return
    transaction.on_commit(lambda: calendar_changed.send(sender=sender))
