import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hotline.supervision import notices, spotchecks
from hotline.supervision.models import SpotCheck


class Command(BaseCommand):
    help = "Draw a spot-check batch of closed tickets (riskiest first plus a random share), or export its notice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", required=True, help="the batch name, e.g. 2026-W48")
        parser.add_argument("--days", type=int, default=7, help="tickets closed in the last N days")
        parser.add_argument("--size", type=int, default=30)
        parser.add_argument("--random-share", type=float, default=None)
        parser.add_argument("--notice", help="write the batch's findings as a Word notice to this file")

    def handle(
        self,
        *args: Any,
        batch: str,
        days: int,
        size: int,
        random_share: float | None,
        notice: str | None,
        **options: Any,
    ) -> None:
        if notice:
            batch_checks = SpotCheck.objects.filter(batch=batch).select_related("ticket", "unit")
            if not batch_checks.exists():
                raise CommandError(f"no spot-check batch named {batch!r}")
            Path(notice).write_bytes(notices.spot_check_notice(batch_checks, batch=batch))
            self.stdout.write(f"wrote {notice}")
            return
        if days < 1:
            raise CommandError("--days must be at least 1")
        now = timezone.now()
        try:
            checks = spotchecks.draw(
                since=now - dt.timedelta(days=days), until=now, size=size, batch=batch, random_share=random_share
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        for check in sorted(checks, key=lambda c: -c.risk):
            reasons = ",".join(check.reasons) or "random"
            self.stdout.write(f"{check.ticket.code}  {check.unit}  risk {check.risk:.1f}  {reasons}")
        self.stdout.write(f"{len(checks)} tickets in batch {batch}")
