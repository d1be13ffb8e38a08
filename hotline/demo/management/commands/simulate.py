import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils import timezone
from tqdm import tqdm

from hotline.demo.reference import load_reference, reference_loaded
from hotline.demo.simulator import simulate
from hotline.evaluation.models import Revisit
from hotline.evaluation.selectors import three_rates


class Command(BaseCommand):
    help = "Drive realistic requests through the real services (intake to revisit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--per-day", type=int, default=1200)
        parser.add_argument("--seed", type=int, default=12345)

    def handle(self, *args: Any, days: int, per_day: int, seed: int, **options: Any) -> None:
        if days < 1 or per_day < 1:
            raise CommandError("--days and --per-day must be at least 1")
        if not reference_loaded():
            load_reference(say=lambda m: self.stdout.write(f"  {m}"))
        run_simulation(self.stdout, days=days, per_day=per_day, seed=seed)


def run_simulation(out: OutputWrapper, *, days: int, per_day: int, seed: int) -> None:
    started = timezone.now()
    with tqdm(
        total=days * per_day,
        unit="ticket",
        desc="simulating",
        # The wrapped stream: OutputWrapper.write would end each of tqdm's redraws with a newline.
        file=getattr(out, "_out", None),
        mininterval=0.5,
    ) as bar:
        stats, seconds = simulate(days=days, per_day=per_day, seed=seed, progress=bar.update)
    # The rates over the revisits of the simulated span, by the one definition the dashboard uses.
    first_day = timezone.localtime(started).replace(hour=0, minute=0, second=0, microsecond=0)
    rates = three_rates(Revisit.objects.filter(recorded_at__gte=first_day - dt.timedelta(days=days - 1)))
    response, resolution, satisfaction = (rates[k] or 0.0 for k in ("response", "resolution", "satisfaction"))
    statuses = " ".join(f"{k} {v}" for k, v in sorted(stats.by_status.items()))
    out.write(f"statuses: {statuses}")
    out.write(
        f"events {stats.events}; returns {stats.returns}; extensions {stats.extensions}; reopened {stats.reopened}; "
        f"valid revisits {rates['n']}"
    )
    out.write(
        f"simulated {stats.tickets} tickets in {seconds:.1f} s; response {response:.1f}% "
        f"resolution {resolution:.1f}% satisfaction {satisfaction:.1f}%"
    )
