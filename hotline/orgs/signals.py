"""Edits to regions reach the place resolver without a restart.

The router's cache of units listens to unit edits itself (``hotline.dispatch.signals``): this
layer names nothing above it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Region


@receiver([post_save, post_delete], sender=Region)
def _regions_changed(sender: type[Region], **kwargs: Any) -> None:
    from . import places

    places.clear_cache()
