from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkcalConfig(AppConfig):
    name = "hotline.workcal"
    label = "workcal"
    verbose_name = _("Working calendar")

    def ready(self) -> None:
        from . import signals  # noqa: F401
