from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.catalog import services


class Command(BaseCommand):
    help = "Import the dispatch catalogue from Excel/CSV, or export it to Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("path")

    def handle(self, *args: Any, action: str, path: str, **options: Any) -> None:
        if action == "export":
            self.stdout.write(f"exported {services.export_xlsx(path)} matters to {path}")
            return
        try:
            result = services.import_file(path)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"created {result['created']}, updated {result['updated']}, deactivated {result['deactivated']}"
        )
