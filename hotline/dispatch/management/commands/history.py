"""``hotline history import FILE [--division CODE] [--allow-unmatched]``: a centre's past requests
(text, date, address, the unit that handled them, the reply) from CSV/Excel into closed tickets on
the history channel. Idempotent and all-or-nothing; unit names matched through aliases, fuzzy
matches proposed for an administrator to confirm, unmatched names listed. See
``hotline.dispatch.history_import`` for the whole contract."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.dispatch.history_import import HistoryRefused, Outcome, import_file


class Command(BaseCommand):
    help = "Imported history. import: past requests from CSV/Excel into closed tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="past requests from a CSV or Excel file")
        imp.add_argument("file")
        imp.add_argument("--division", default="", help="the city's code, to read its unit names (e.g. 611000)")
        imp.add_argument(
            "--allow-unmatched",
            action="store_true",
            help="import rows whose unit is unmatched (or only proposed) without a unit instead of refusing",
        )

    def handle(self, *args: Any, action: str, file: str, division: str, allow_unmatched: bool, **opts: Any) -> None:
        try:
            outcome = import_file(file, division=division, allow_unmatched=allow_unmatched)
        except HistoryRefused as exc:
            self._names(exc.outcome)
            raise CommandError("Nothing imported.\n" + "\n".join(exc.messages)) from exc
        except ValidationError as exc:
            raise CommandError("Nothing imported.\n" + "\n".join(exc.messages)) from exc
        except OSError as exc:
            raise CommandError(f"Nothing imported: {exc}") from exc
        out = self.stdout
        out.write(
            f"{outcome.rows} rows: {outcome.created} imported, {outcome.already} imported before, "
            f"{len(outcome.duplicates)} duplicates in the file"
        )
        if outcome.duplicates:
            out.write("  duplicate lines: " + ", ".join(map(str, outcome.duplicates[:20])))
        for line, source_id, other in outcome.shared_ids:
            out.write(
                f"  line {line}: id {source_id} is also on line {other} with another text or date (both imported)"
            )
        out.write("units: " + ", ".join(f"{how} {n}" for how, n in sorted(outcome.matched.items())))
        self._names(outcome)
        if outcome.without_unit:
            out.write(f"{outcome.without_unit} rows imported without a unit (their names are listed above)")

    def _names(self, outcome: Outcome) -> None:
        out = self.stdout
        if outcome.proposals:
            out.write(f"{len(outcome.proposals)} names proposed, to confirm under unit aliases in the admin:")
            for name, unit, score, n in outcome.proposals:
                out.write(f"  {name} -> {unit} (similarity {score:.0f}, {n} rows)")
        if outcome.unmatched:
            out.write(f"{len(outcome.unmatched)} names matched no unit:")
            for name, n, lines in outcome.unmatched:
                out.write(f"  {name or '(empty)'} ({n} rows, lines {', '.join(map(str, lines))})")
