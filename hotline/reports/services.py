"""Generate and archive reports; the worker's job ``generate_due_reports``.

``generate_report(kind, day, fmt)`` writes one file into the archive, replacing the file of an
earlier run for the same kind, period and format (so any past date can be regenerated).
``generate_due_reports(now)`` is the periodic job: it archives every finished period that has no
file yet and does nothing on a second run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation

from .figures import period_figures
from .models import Report
from .periods import Kind, Period, period_for
from .render import FORMATS, layout, render
from .safety import safety_paragraph

# How far back the job looks for daily reports it has not archived yet (the worker may have been
# down over a weekend).
CATCH_UP_DAYS = 7


def build(kind: str, day: dt.date, formats: Iterable[str], *, now: dt.datetime | None = None) -> dict[str, bytes]:
    """The report files of the ``kind`` period containing ``day``, by format, in the centre's language.

    Figures are read and charts drawn once for all formats.
    """
    formats = list(formats)
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    with translation.override(settings.LANGUAGE_CODE):
        if kind == Kind.SAFETY_DAILY:
            if formats != ["txt"]:
                raise ValueError("the safety-hazard daily report is a paragraph: only txt")
            return {"txt": (safety_paragraph(day) + "\n").encode("utf-8")}
        figures = period_figures(kind, day, now=now)
        report = layout(figures, with_charts=any(fmt != "txt" for fmt in formats))
        return {fmt: render(report, fmt) for fmt in formats}


def archive(kind: str, day: dt.date, files: dict[str, bytes], *, now: dt.datetime | None = None) -> list[Report]:
    """Store ``files`` as the archive's reports of that period, overwriting earlier ones."""
    period = period_for(kind, day)
    now = now or timezone.now()
    out = []
    for fmt, data in files.items():
        name = f"reports/{kind}/{period.first:%Y}/{period.slug()}.{fmt}"
        with transaction.atomic():
            report, _created = Report.objects.select_for_update().get_or_create(
                kind=kind,
                period_start=period.first,
                format=fmt,
                defaults={"period_end": period.last, "generated_at": now},
            )
            # Regenerating replaces the file under the same name: delete first, or the storage
            # would invent a new name and keep the stale file.
            if default_storage.exists(name):
                default_storage.delete(name)
            report.file.name = default_storage.save(name, ContentFile(data))
            report.size = len(data)
            report.period_end = period.last
            report.generated_at = now
            report.save()
        out.append(report)
    return out


def generate_report(kind: str, day: dt.date, formats: Iterable[str], *, now: dt.datetime | None = None) -> list[Report]:
    """Build and archive the ``kind`` report of the period containing ``day`` in each format."""
    return archive(kind, day, build(kind, day, formats, now=now), now=now)


def due_periods(now: dt.datetime) -> list[Period]:
    """The finished periods the job keeps archived: the last week of days, the last week, the last month."""
    today = timezone.localtime(now).date()
    periods = [period_for(Kind.DAILY, today - dt.timedelta(days=n)) for n in range(CATCH_UP_DAYS, 0, -1)]
    periods += [period_for(Kind.SAFETY_DAILY, today - dt.timedelta(days=n)) for n in range(CATCH_UP_DAYS, 0, -1)]
    periods.append(period_for(Kind.WEEKLY, today).previous())
    periods.append(period_for(Kind.MONTHLY, today).previous())
    return [p for p in periods if p.is_complete(now)]


def generate_due_reports(now: dt.datetime | None = None) -> list[Report]:
    """The worker's periodic job: archive every finished period that lacks a file. Idempotent.

    Schedule it a few minutes after midnight (and hourly, so a missed night catches up). Each
    period's missing formats are generated together; a second run finds nothing to do and returns [].
    """
    now = now or timezone.now()
    formats = settings.HOTLINE["REPORT_FORMATS"]
    made: list[Report] = []
    for period in due_periods(now):
        wanted = ["txt"] if period.kind == Kind.SAFETY_DAILY else formats
        have = set(Report.objects.filter(kind=period.kind, period_start=period.first).values_list("format", flat=True))
        missing = [fmt for fmt in wanted if fmt not in have]
        if missing:
            made += generate_report(period.kind, period.first, missing, now=now)
    return made


def archive_history(
    days: int, *, now: dt.datetime | None = None, progress: Callable[[int], object] | None = None
) -> list[Report]:
    """Fill the archive for the demo: the job's reports, plus text daily reports back ``days`` days.

    Word and Excel files with charts cost about a second a day, so older days get the text file
    only; any of them can be regenerated in every format from the report pages.
    """
    now = now or timezone.now()
    made = generate_due_reports(now)
    today = timezone.localdate(now)
    older = [today - dt.timedelta(days=n) for n in range(CATCH_UP_DAYS + 1, days + 1)]
    have = set(Report.objects.filter(kind=Kind.DAILY, format="txt").values_list("period_start", flat=True))
    for day in older:
        if day not in have:
            made += generate_report(Kind.DAILY, day, ["txt"], now=now)
        if progress is not None:
            progress(1)
    return made
