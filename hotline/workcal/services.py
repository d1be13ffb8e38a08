"""Working-day arithmetic over the holiday table.

The table holds only the exceptions to Monday–Friday: official holidays and 调休 working
weekends. A year without a complete schedule is still computed (weekends only) and every answer
that touched it says so, so a deadline can be marked provisional and recomputed later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hotline.caching import ProcessCache

from .models import CalendarYear, SpecialDay

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    special: dict[dt.date, bool]  # date -> is a working day
    complete_years: frozenset[int]

    def is_workday(self, day: dt.date) -> bool:
        if day in self.special:
            return self.special[day]
        return day.weekday() < 5

    def covers(self, day: dt.date) -> bool:
        return day.year in self.complete_years

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        day += ONE_DAY
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def add_working_days(self, start: dt.datetime, days: int) -> tuple[dt.datetime, bool]:
        """``start`` moved forward by ``days`` working days, at the same clock time.

        A start on a non-working day counts from 00:00 of the next working day, so a Saturday
        start with one working day is due at the end of Monday. Returns the due time and whether
        any day looked at lies in a year the table does not cover (the answer is provisional).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        if timezone.is_aware(start):
            # Working days are the centre's days: count them on its wall clock, not in UTC.
            start = timezone.localtime(start)
        provisional = not self.covers(start.date())
        cursor = start
        if not self.is_workday(cursor.date()):
            first = self.next_workday(cursor.date())
            provisional |= not self.covers(first)
            cursor = cursor.replace(
                year=first.year, month=first.month, day=first.day, hour=0, minute=0, second=0, microsecond=0
            )
        for _ in range(days):
            day = self.next_workday(cursor.date())
            provisional |= not self.covers(day)
            cursor = cursor.replace(year=day.year, month=day.month, day=day.day)
        return cursor, provisional

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_workday(day)
        return count


def _load_calendar() -> Calendar:
    return Calendar(
        special=dict(SpecialDay.objects.values_list("date", "is_workday")),
        complete_years=frozenset(CalendarYear.objects.filter(complete=True).values_list("year", flat=True)),
    )


_calendar = ProcessCache(_load_calendar)


def get_calendar() -> Calendar:
    """The holiday table, loaded once per process and reloaded after a change (see ``ProcessCache``)."""
    return _calendar.get()


def invalidate_calendar() -> None:
    _calendar.clear_now_and_on_commit()


def seed_from_chinese_calendar() -> int:
    """Copy the official schedule the ``chinese-calendar`` package knows into the table.

    Rows entered by hand are kept. Returns the number of rows written.
    """
    import chinese_calendar

    rows: list[SpecialDay] = []
    for day, name in chinese_calendar.holidays.items():
        if name is None and day.weekday() >= 5:
            continue  # an ordinary weekend: no exception to record
        rows.append(SpecialDay(date=day, is_workday=False, name=_holiday_name(name), source="chinese-calendar"))
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            rows.append(
                SpecialDay(date=day, is_workday=True, name=_holiday_name(name) + "调休", source="chinese-calendar")
            )
    years = sorted({r.date.year for r in rows})
    with transaction.atomic():
        existing = set(SpecialDay.objects.values_list("date", flat=True))
        new = [r for r in rows if r.date not in existing]
        SpecialDay.objects.bulk_create(new, batch_size=500)
        for year in range(years[0], years[-1] + 1):
            CalendarYear.objects.get_or_create(year=year, defaults={"complete": True, "source": "chinese-calendar"})
    invalidate_calendar()
    return len(new)


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name(name: object) -> str:
    if name is None:
        return ""
    text = getattr(name, "value", str(name))
    return _HOLIDAY_NAMES.get(text, text)


def missing_years(*, around: dt.date, ahead: int = 1) -> list[int]:
    """Years from ``around``'s year to ``ahead`` years later whose schedule is not entered yet."""
    complete = get_calendar().complete_years
    return [y for y in range(around.year, around.year + ahead + 1) if y not in complete]
