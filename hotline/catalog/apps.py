from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "hotline.catalog"
    label = "catalog"
    verbose_name = _("Dispatch catalogue")

    def ready(self) -> None:
        from . import signals  # noqa: F401
