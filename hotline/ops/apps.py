from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the platform: the production server, health and metrics, logs, the read replica,
    backup and restore. It reads every app (for the metrics) and is read by none."""

    name = "hotline.ops"
    verbose_name = _("operations")

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        from .middleware import note_database_error

        got_request_exception.connect(note_database_error, dispatch_uid="hotline.ops.database_error")
