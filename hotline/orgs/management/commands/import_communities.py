from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.orgs.services import import_communities


class Command(BaseCommand):
    help = "Import communities and villages from a code,name,level,parent_code CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        try:
            count = import_communities(path)
        except (ValidationError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"imported {count} communities and villages")
