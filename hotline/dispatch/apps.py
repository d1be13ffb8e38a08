from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "hotline.dispatch"
    label = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        from hotline.intake.services import use_place_finder

        from . import signals  # noqa: F401
        from .locate import place_of

        use_place_finder(place_of)
