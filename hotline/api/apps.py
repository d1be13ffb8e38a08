from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "hotline.api"
    label = "api"
    verbose_name = _("partner API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hotline.outbox import transports

        from . import webhooks

        # The outbox sits below this app: it learns each webhook's signing secret from here.
        transports.use_webhook_secrets(webhooks.secret_for)
