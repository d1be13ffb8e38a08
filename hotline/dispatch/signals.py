"""Edits to units and their functions reach the router without a restart."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hotline.orgs.models import Unit, UnitFunction

from . import router


@receiver([post_save, post_delete], sender=Unit)
@receiver([post_save, post_delete], sender=UnitFunction)
def _units_changed(sender: type[Unit | UnitFunction], **kwargs: Any) -> None:
    router.clear_cache()
