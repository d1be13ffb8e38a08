"""``hotline insight hotspots`` (hot issues from a file or the database) and ``hotline insight surges``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


class Command(BaseCommand):
    help = "Insight (改 + 未诉先办): hot issues and surge warnings."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        hot = sub.add_parser("hotspots", help="rank hot issues in a message file or in the tickets of a period")
        source = hot.add_mutually_exclusive_group(required=True)
        source.add_argument("--data", help="CSV/Excel with 留言编号, 留言主题, 留言时间, 留言详情 [, 点赞数, 反对数]")
        source.add_argument("--period", help="tickets of the last N days ('30') or 'YYYY-MM-DD..YYYY-MM-DD'")
        hot.add_argument("--top", type=int, default=10)
        hot.add_argument("--min-size", type=int, default=3)
        hot.add_argument("--out", help="write the clusters here (CSV); default: standard output")
        hot.add_argument("--save", action="store_true", help="with --period: keep them as the period's hot issues")
        surge = sub.add_parser("surges", help="scan for surges now (idempotent)")
        surge.add_argument("--days", type=int, default=7)

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        if action == "hotspots":
            self._hotspots(**opts)
        else:
            from hotline.insight.warnings import scan_surges

            raised = scan_surges(timezone.now(), days=opts["days"])
            self.stdout.write(f"{len(raised)} new surge warnings")

    def _hotspots(
        self,
        *,
        data: str | None,
        period: str | None,
        top: int,
        min_size: int,
        out: str | None,
        save: bool,
        **_: Any,
    ) -> None:
        from hotline.insight import hotspots, services

        if top < 1 or min_size < 2:
            raise CommandError("--top must be at least 1 and --min-size at least 2")
        try:
            if data:
                messages = hotspots.read_messages_file(data)
                end = None
            else:
                start, end = services.parse_period(period, now=timezone.now())
                messages = services.ticket_messages(start, end)
        except (ValidationError, ValueError, OSError) as exc:
            raise CommandError(exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        self.stderr.write(f"{len(messages)} messages")
        local_end = timezone.localtime(end).replace(tzinfo=None) if end else None  # messages carry local time
        issues = hotspots.find_hot_issues(messages, top=top, min_size=min_size, period_end=local_end, progress=True)
        if save and period:
            assert end is not None  # --period and --data exclude each other
            services.store_hotspots(issues, start=start, end=end)
        if out:
            with open(out, "w", encoding="utf-8", newline="") as fh:
                hotspots.write_issues_csv(issues, fh)
            self.stderr.write(f"{len(issues)} hot issues written to {out}")
        else:
            hotspots.write_issues_csv(issues, sys.stdout)
