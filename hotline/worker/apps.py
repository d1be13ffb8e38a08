from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    name = "hotline.worker"
    label = "worker"
    verbose_name = _("Worker")

    def ready(self) -> None:
        # Each app declares its periodic jobs in its own jobs.py; importing them registers them.
        autodiscover_modules("jobs")
