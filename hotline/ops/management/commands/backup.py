from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format, or SQLite's online backup) and the uploaded files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=None, help="directory for the archive (default: var/backups)")

    def handle(self, *args: Any, output: str | None, **options: Any) -> None:
        directory = Path(output) if output else Path(settings.VAR_DIR) / "backups"
        try:
            result = backup(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.path}: {result.tables} tables, {result.rows} rows, {result.files} files, "
            f"{result.bytes / 1e6:.1f} MB"
        )
