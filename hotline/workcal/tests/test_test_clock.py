"""The pinned clock that date-sensitive tests run on (the root conftest's `clock`)."""

import datetime as dt

import pytest
from conftest import clock_instant
from django.utils import timezone


def test_a_bare_day_means_ten_in_the_morning_on_the_centres_clock():
    assert clock_instant("2026-11-30") == timezone.make_aware(dt.datetime(2026, 11, 30, 10, 0))
    assert clock_instant("2026-12-01T00:05") == timezone.make_aware(dt.datetime(2026, 12, 1, 0, 5))
    assert timezone.localtime(clock_instant("2026-11-30")).tzname() == "CST"
    with pytest.raises(ValueError):
        clock_instant("Monday")


@pytest.mark.clock
def test_a_marked_test_runs_on_the_chosen_day(clock_day):
    start = clock_instant(clock_day)
    assert start <= timezone.now() < start + dt.timedelta(minutes=5)  # and time ticks on from there
    assert timezone.localdate() == dt.date.today() == start.date()


@pytest.mark.clock
def test_a_test_moves_the_clock_through_the_fixture(clock_day, clock):
    clock.shift(dt.timedelta(days=1))
    assert timezone.localdate() == clock_instant(clock_day).date() + dt.timedelta(days=1)
