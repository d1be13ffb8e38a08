"""Ticket-wide maintenance that is not one link of the loop."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from . import deadlines, transitions
from .models import Ticket


def recompute_provisional_deadlines(*, limit: int | None = None) -> int:
    """Recompute deadlines computed before their year's holiday schedule was entered.

    Each recomputation is an event on the ticket. Returns how many tickets were recomputed.
    """
    count = 0
    queryset = Ticket.objects.filter(deadlines_provisional=True).order_by("pk")
    for ticket in queryset[:limit] if limit else queryset.iterator():
        before = {f: getattr(ticket, f) for f in deadlines.DUE_FIELDS}
        deadlines.compute_dues(ticket)
        after = {f: getattr(ticket, f) for f in deadlines.DUE_FIELDS}
        for name, value in before.items():
            setattr(ticket, name, value)
        if after == before:
            continue  # the table changed, but not on any day this ticket's deadlines touch
        try:
            transitions.apply(
                ticket,
                "recompute_deadlines",
                note=_("Deadlines recomputed on the updated holiday table."),
                data={"before": {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in before.items()}},
                at=timezone.now(),
            )
        except transitions.TransitionError:
            continue  # changed meanwhile: its own event already recomputed its deadlines
        count += 1
    return count
