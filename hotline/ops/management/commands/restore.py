from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database and the files from a `hotline backup` archive, then compare counts and checksums."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar written by `hotline backup`")
        parser.add_argument("--force", action="store_true", help="replace a database that holds tickets")

    def handle(self, *args: Any, archive: str, force: bool, **options: Any) -> None:
        try:
            result = restore(Path(archive), force=force, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.mismatches:
            raise CommandError("restored, but it does not match the backup:\n  " + "\n  ".join(result.mismatches))
        self.stdout.write(
            f"restored {result.tables} tables, {result.rows} rows, {result.files} files; counts and checksums match"
        )
