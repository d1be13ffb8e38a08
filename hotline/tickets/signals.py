"""The ticket listens to the layers below it: a holiday table entered or corrected recomputes the
deadlines that were computed without it."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from hotline.workcal.signals import calendar_changed

from .services import recompute_provisional_deadlines


@receiver(calendar_changed)
def _recompute_provisional(sender: object, **kwargs: Any) -> None:
    recompute_provisional_deadlines()
