from typing import Any

from django.core.management.base import BaseCommand

from hotline.demo.reference import load_reference


class Command(BaseCommand):
    help = "Load Xining's regions, units, the dispatch catalogue, channels and holidays (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        load_reference(say=self.stdout.write)
