"""``hotline dispatchrate --days 30``: the first-time-right rate (一派到位率), overall and per unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from hotline.dispatch.selectors import first_time_right, first_time_right_by_unit
from hotline.orgs.models import Unit


class Command(BaseCommand):
    help = "Print the first-time-right rate of dispatch for a period, per unit and overall."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--units", type=int, default=10, help="how many units to list (lowest rate first)")

    def handle(self, *args: Any, days: int, units: int, **opts: Any) -> None:
        end = timezone.now()
        start = end - dt.timedelta(days=days)
        by_unit = first_time_right_by_unit(start, end)
        names = dict(Unit.objects.filter(pk__in=by_unit).values_list("pk", "name"))
        ranked = sorted(by_unit.items(), key=lambda kv: (kv[1].rate or 0, -kv[1].dispatched))
        for pk, rate in ranked[:units]:
            self.stdout.write(f"  {names.get(pk, pk)}: {rate.first_time_right}/{rate.dispatched} = {rate.rate:.1%}")
        total = first_time_right(start, end)
        share = f"{total.rate:.1%}" if total.rate is not None else "—"
        self.stdout.write(f"first-time-right {share} ({total.first_time_right}/{total.dispatched}) over {days} days")
