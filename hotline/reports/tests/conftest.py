"""Report test data: simulated history up to the pinned clock, built once per module and small
enough to keep the suite fast."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def archive_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def last_working_day_before(day: dt.date) -> dt.date:
    from hotline.workcal.services import get_calendar

    calendar = get_calendar()
    day -= dt.timedelta(days=1)
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def history(module_db, module_clock, django_db_blocker):
    """Simulated traffic up to now on the pinned clock: tickets in every state, returns, revisits,
    reopenings. It covers at least four days and always the last working day before today with the
    day before it, so a whole working day is there after a weekend or a week of holidays. Built
    once per module (tests only read it; what a test writes is rolled back after it). Seed 4: on
    the default clock that working day's revisits hold all three answers, "basically satisfied"
    among them, so the finished-day recount weighs each."""
    from hotline.demo.simulator import simulate

    now = timezone.now()
    today = timezone.localdate(now)
    with django_db_blocker.unblock():
        first = last_working_day_before(today) - dt.timedelta(days=1)
        days = max(4, (today - first).days + 1)
        stats, _seconds = simulate(days=days, per_day=45, seed=4, end=now)
    assert stats.tickets > 100
    return now


@pytest.fixture(scope="module")
def past_history(history, django_db_blocker):
    """The history seen from the end of its last finished working day (the last working day before
    today): the midnight that closed that day."""
    with django_db_blocker.unblock():
        day = last_working_day_before(timezone.localdate(history))
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
