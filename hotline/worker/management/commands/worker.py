import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hotline.worker.schedule import jobs, tick


class Command(BaseCommand):
    help = "Run the periodic jobs every app registered (deadline scan, orders, revisits, deliveries, reports…)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once now and stop")
        parser.add_argument(
            "--job", action="append", choices=sorted(j.name for j in jobs()), help="only this job (repeatable)"
        )
        parser.add_argument("--sleep", type=float, default=20.0, help="seconds between ticks")
        parser.add_argument("--now", help="pretend it is this time (ISO 8601), for replays and tests")

    def handle(
        self, *args: Any, once: bool, job: list[str] | None, sleep: float, now: str | None, **options: Any
    ) -> None:
        at = None
        if now:
            at = parse_datetime(now)
            if at is None:
                raise CommandError(f"--now: not a date and time: {now!r}")
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        if sleep <= 0:
            raise CommandError("--sleep must be positive")
        while True:
            results = tick(now=at, force=once, only=job)
            for name, result in results.items():
                self.stdout.write(f"{timezone.localtime(at or timezone.now()):%Y-%m-%d %H:%M:%S} {name}: {result}")
            self.stdout.flush()  # a worker's log is read while it runs, often through a pipe
            if once:
                return
            time.sleep(sleep)
            if at is not None:
                at += dt.timedelta(seconds=sleep)
