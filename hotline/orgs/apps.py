from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "hotline.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from . import signals  # noqa: F401
