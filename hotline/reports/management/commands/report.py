"""``hotline report daily|weekly|monthly|safety-daily --date 2026-11-25 --format docx --out FILE``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hotline.reports.periods import Kind
from hotline.reports.render import FORMATS
from hotline.reports.services import archive, build, generate_due_reports


class Command(BaseCommand):
    help = (
        "Write a daily, weekly or monthly report for the period containing --date (Word, Excel or text), "
        "or print the safety-hazard daily paragraph; 'due' archives every finished period not yet archived."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[*Kind.values, "due"])
        parser.add_argument("--date", help="a day of the period, YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=FORMATS, default="txt")
        parser.add_argument("--out", help="the file to write (default for txt: print it)")
        parser.add_argument("--archive", dest="store", action="store_true", help="also store it in the report archive")

    def handle(
        self, *args: Any, kind: str, date: str | None, format: str, out: str | None, store: bool, **options: Any
    ) -> None:
        if kind == "due":
            made = generate_due_reports()
            for report in made:
                self.stdout.write(f"archived {report.filename} ({report.size:,} bytes)")
            self.stdout.write(f"{len(made)} reports archived")
            return
        try:
            day = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must be a day as YYYY-MM-DD, not {date!r}")
        if kind == Kind.SAFETY_DAILY:
            format = "txt"
        if out is None and format != "txt":
            raise CommandError(f"a {format} report needs --out FILE")
        target = Path(out) if out else None
        if target is not None and not target.parent.is_dir():
            raise CommandError(f"no such directory: {target.parent}")
        try:
            files = build(kind, day, [format])
        except ValueError as exc:
            raise CommandError(str(exc))
        if store:
            archive(kind, day, files)
        data = files[format]
        if target is None:
            self.stdout.write(data.decode("utf-8"), ending="")
        else:
            target.write_bytes(data)
            self.stdout.write(f"wrote {target} ({len(data):,} bytes)")
