import datetime as dt
import signal
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
        # Ctrl+C or SIGTERM (systemd, `hotline demo` ending) lets the running job finish, then stops:
        # a job cut in the middle is safe (each is idempotent), but a clean stop leaves no lease behind.
        stopping: list[int] = []

        def stop(signum: int, frame: object) -> None:
            if stopping and signum == signal.SIGINT:  # Ctrl+C a second time: stop now
                raise KeyboardInterrupt
            stopping.append(signum)

        if not once:
            signal.signal(signal.SIGINT, stop)
            signal.signal(signal.SIGTERM, stop)
        while True:
            results = tick(now=at, force=once, only=job, stop=lambda: bool(stopping))
            for name, result in results.items():
                self.stdout.write(f"{timezone.localtime(at or timezone.now()):%Y-%m-%d %H:%M:%S} {name}: {result}")
            self.stdout.flush()  # a worker's log is read while it runs, often through a pipe
            if once:
                return
            slept = 0.0
            while slept < sleep and not stopping:
                time.sleep(min(0.5, sleep - slept))
                slept += 0.5
            if stopping:
                self.stdout.write("worker stopped")
                return
            if at is not None:
                at += dt.timedelta(seconds=sleep)
