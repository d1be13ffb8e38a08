"""``hotline dispatch eval-history --data FILE --split-date D``: the learnt router, the catalogue's
rule and the text classifier alone on real history, trained before D and scored from D on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.dispatch import history


class Command(BaseCommand):
    help = "Dispatch tools. eval-history: score the unit router on a history file, split by date."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("eval-history", help="train before --split-date, score from it on")
        ev.add_argument("--data", required=True, help="CSV or Excel: text (or title, query), date, unit")
        ev.add_argument("--split-date", required=True, type=dt.date.fromisoformat)
        ev.add_argument("--division", default="", help="the city's 6-digit code (default: guessed from the units)")
        ev.add_argument("--max-train", type=int, default=None, help="subsample the training rows")

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        try:
            division = opts["division"] or history.guess_division(opts["data"])
            places = history.city_places(division)
            rows = history.read_history(opts["data"], places)
            report = history.evaluate(rows, opts["split_date"], places=places, max_train=opts["max_train"])
        except (ValidationError, OSError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            f"{places.city} ({division}): trained on {report.n_train} requests before {report.split}, "
            f"scored on {report.n_test} from it on; {report.n_units} units"
        )
        self.stdout.write(f"largest unit {report.largest[0]}: {report.largest[1]:.3f} of the scored requests")
        for row in report.rows:
            self.stdout.write(row.line())
        if report.ungrouped_threshold is not None:
            t, cov, prec = report.ungrouped_threshold
            self.stdout.write(
                f"threshold from ungrouped folds {t:.3f}: held-out coverage {cov:.3f} precision {prec:.3f}"
            )
