"""Edits to regions and units reach the place resolver and the router without a restart."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Region, Unit, UnitFunction


@receiver([post_save, post_delete], sender=Region)
def _regions_changed(sender, **kwargs) -> None:
    from . import places

    places.clear_cache()


@receiver([post_save, post_delete], sender=Unit)
@receiver([post_save, post_delete], sender=UnitFunction)
def _units_changed(sender, **kwargs) -> None:
    from hotline.dispatch import router

    router.clear_cache()
