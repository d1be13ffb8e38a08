import datetime as dt

import pytest

from hotline.reports.periods import Kind, period_for


def test_a_day_a_week_and_a_month():
    day = dt.date(2026, 11, 25)  # a Wednesday
    assert period_for(Kind.DAILY, day).days == [day]
    week = period_for(Kind.WEEKLY, day)
    assert (week.first, week.last) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    month = period_for(Kind.MONTHLY, day)
    assert (month.first, month.last) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert len(month.days) == 30


def test_boundaries_across_years_and_leap_days():
    assert period_for(Kind.MONTHLY, dt.date(2028, 2, 10)).last == dt.date(2028, 2, 29)
    assert period_for(Kind.MONTHLY, dt.date(2026, 12, 31)).last == dt.date(2026, 12, 31)
    week = period_for(Kind.WEEKLY, dt.date(2027, 1, 1))  # a Friday: its week began in 2026
    assert week.first == dt.date(2026, 12, 28)
    assert period_for(Kind.MONTHLY, dt.date(2027, 1, 15)).previous().first == dt.date(2026, 12, 1)
    assert period_for(Kind.DAILY, dt.date(2027, 1, 1)).previous().first == dt.date(2026, 12, 31)


def test_periods_start_and_end_at_local_midnight():
    period = period_for(Kind.DAILY, dt.date(2026, 11, 25))
    assert period.start.isoformat() == "2026-11-25T00:00:00+08:00"
    assert period.end - period.start == dt.timedelta(days=1)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown report kind"):
        period_for("yearly", dt.date(2026, 11, 25))
