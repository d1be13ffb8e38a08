import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.tabular import csv_safe
from hotline.evaluation.selectors import BY, definitions, month_headline, parse_period, unit_scores

COLUMNS = ["rank", "zone", "name", "n", "response", "resolution", "satisfaction", "composite"]


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


class Command(BaseCommand):
    help = "The three rates, composite score and zone per unit, district, township or matter for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="a month (2026-11) or a year (2026)")
        parser.add_argument("--by", choices=BY, default="unit")
        parser.add_argument("--format", choices=("table", "csv"), default="table")
        parser.add_argument(
            "--headline",
            action="store_true",
            help="only the share of units in the blue zone and praise, vs last period",
        )

    def handle(self, *args: Any, period: str, by: str, format: str, headline: bool, **options: Any) -> None:
        if headline:
            try:
                head = month_headline(parse_period(period))
            except ValueError as exc:
                raise CommandError(str(exc))
            for figures in (head["previous"], head):
                share = "—" if figures["blue_share"] is None else f"{figures['blue_share']:.1f}%"
                self.stdout.write(
                    f"{figures['period']}: {figures['blue']}/{figures['ranked']} ranked units in the blue zone "
                    f"({share}); praise {figures['praise']}"
                )
            return
        try:
            rows = unit_scores(parse_period(period), by=by)
        except ValueError as exc:
            raise CommandError(str(exc))
        columns = COLUMNS + (["praise"] if by == "unit" else [])
        if format == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([csv_safe(_fmt(row.get(c))) for c in columns])
            return
        table = [columns] + [[_fmt(row.get(c)) for c in columns] for row in rows]
        widths = [max(_width(r[i]) for r in table) for i in range(len(columns))]
        for line in table:
            self.stdout.write("  ".join(_pad(cell, w) for cell, w in zip(line, widths)).rstrip())
        self.stdout.write("")
        for text in definitions().values():
            self.stdout.write(f"* {text}")


def _width(text: str) -> int:
    # A Chinese character takes two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
