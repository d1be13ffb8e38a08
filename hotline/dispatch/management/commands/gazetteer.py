"""``hotline gazetteer import FILE.xlsx`` and ``hotline gazetteer learn``: roads, estates, landmarks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.dispatch.locate import import_gazetteer, learn_from_history


class Command(BaseCommand):
    help = "Import the centre's gazetteer (CSV or Excel) or learn roads from dispatch history."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="columns: township (code or name), name, kind, aliases, district")
        imp.add_argument("file")
        sub.add_parser("learn", help="roads and estates that dispatch history places in one township")

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        try:
            result = import_gazetteer(opts["file"]) if action == "import" else learn_from_history()
        except (ValidationError, FileNotFoundError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("; ".join(messages)) from exc
        self.stdout.write(" ".join(f"{k} {v}" for k, v in result.items()))
