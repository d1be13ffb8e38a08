"""Any change to the holiday table reloads the calendar and recomputes provisional deadlines."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import CalendarYear, SpecialDay
from .services import invalidate_calendar


@receiver([post_save, post_delete], sender=SpecialDay)
@receiver([post_save, post_delete], sender=CalendarYear)
def _table_changed(sender, **kwargs) -> None:
    invalidate_calendar()
    if kwargs.get("raw"):
        return

    def recompute() -> None:
        from hotline.tickets.services import recompute_provisional_deadlines

        recompute_provisional_deadlines()

    transaction.on_commit(recompute)
