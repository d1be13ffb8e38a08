from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Matter


@receiver([post_save, post_delete], sender=Matter)
def _matters_changed(sender: type[Matter], **kwargs: Any) -> None:
    from .selectors import clear_cache

    clear_cache()
