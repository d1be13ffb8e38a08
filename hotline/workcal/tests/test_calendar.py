"""Working days across the 2026 National Day and Spring Festival holidays and their 调休 weekends."""

import datetime as dt

import pytest
from django.utils import timezone

from hotline.workcal.models import CalendarYear, SpecialDay
from hotline.workcal.services import get_calendar, invalidate_calendar, missing_years, seed_from_chinese_calendar


def at(y, m, d, h=10, mi=0):
    return timezone.make_aware(dt.datetime(y, m, d, h, mi))


@pytest.fixture
def cal(ref):
    # 2027 stands for "a year whose schedule is not entered", whatever chinese-calendar knows.
    CalendarYear.objects.filter(year=2027).delete()
    SpecialDay.objects.filter(date__year=2027).delete()
    invalidate_calendar()
    return get_calendar()


def test_national_day_2026_skips_the_golden_week_and_counts_the_working_saturday(cal):
    # Wed 30 Sep; 1–7 Oct are holidays; Sat 10 Oct is a 调休 working day.
    assert cal.add_working_days(at(2026, 9, 30), 1) == (at(2026, 10, 8), False)
    assert cal.add_working_days(at(2026, 9, 30), 3) == (at(2026, 10, 10), False)
    assert cal.add_working_days(at(2026, 9, 30), 7) == (at(2026, 10, 15), False)
    assert cal.is_workday(dt.date(2026, 10, 10)) and not cal.is_workday(dt.date(2026, 10, 5))


def test_the_sunday_before_mid_autumn_is_a_working_day(cal):
    assert cal.is_workday(dt.date(2026, 9, 20))
    assert cal.add_working_days(at(2026, 9, 18, 15), 1) == (at(2026, 9, 20, 15), False)


def test_spring_festival_2026(cal):
    # Fri 13 Feb; Sat 14 Feb works; 15–23 Feb are holidays.
    assert cal.add_working_days(at(2026, 2, 13), 1) == (at(2026, 2, 14), False)
    assert cal.add_working_days(at(2026, 2, 13), 3) == (at(2026, 2, 25), False)
    assert cal.working_days_between(dt.date(2026, 2, 13), dt.date(2026, 2, 28)) == 6  # 14, 24, 25, 26, 27, 28


def test_a_start_on_a_holiday_counts_from_the_next_working_morning(cal):
    # Received on National Day itself: one working day is all of Thursday 8 October.
    assert cal.add_working_days(at(2026, 10, 3, 21), 1) == (at(2026, 10, 9, 0), False)
    assert cal.add_working_days(at(2026, 10, 3, 21), 0) == (at(2026, 10, 8, 0), False)


def test_a_year_without_a_schedule_is_weekends_only_and_provisional(cal):
    assert 2027 not in cal.complete_years
    due, provisional = cal.add_working_days(at(2026, 12, 30), 3)
    assert provisional
    assert due == at(2027, 1, 4)  # 31 Dec, 1 Jan (unknown: counted as a working Friday), 4 Jan
    assert missing_years(around=dt.date(2026, 11, 26)) == [2027]


def test_seeding_twice_writes_nothing_new_and_keeps_hand_entries(cal):
    SpecialDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦", source="manual")
    seed_from_chinese_calendar()
    assert seed_from_chinese_calendar() == 0
    assert SpecialDay.objects.get(date=dt.date(2027, 1, 1)).source == "manual"
    assert CalendarYear.objects.filter(complete=True, year=2026).exists()


def test_negative_days_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(at(2026, 1, 5), -1)


def test_working_days_are_counted_on_the_centres_clock_not_utc(cal):
    # 07:00 on Thursday 8 October in Xining is 23:00 on Wednesday 7 October (a holiday) in UTC.
    start_utc = at(2026, 10, 8, 7).astimezone(dt.UTC)
    due, _provisional = cal.add_working_days(start_utc, 1)
    assert due == at(2026, 10, 9, 7)
    # 01:00 on Saturday 10 October (a working day) in Xining is Friday 17:00 in UTC.
    due, _provisional = cal.add_working_days(at(2026, 10, 10, 1).astimezone(dt.UTC), 1)
    assert due == at(2026, 10, 12, 1)
