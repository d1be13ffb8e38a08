from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "hotline.linkage"
    label = "linkage"
    verbose_name = _("linkage (110/119/120/122, other cities)")
    default_auto_field = "django.db.models.BigAutoField"
