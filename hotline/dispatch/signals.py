"""Edits to units, their functions and the catalogue reach the router and the suggestions without a
restart."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hotline.catalog.models import Matter
from hotline.orgs.models import Unit, UnitFunction

from . import router, suggest


@receiver([post_save, post_delete], sender=Unit)
@receiver([post_save, post_delete], sender=UnitFunction)
def _units_changed(sender: type[Unit | UnitFunction], **kwargs: Any) -> None:
    router.clear_cache()
    suggest.clear_cache()


@receiver([post_save, post_delete], sender=Matter)
def _matters_changed(sender: type[Matter], **kwargs: Any) -> None:
    suggest.clear_cache()
