"""Report test data: a few days of simulated history, small enough to keep the suite fast."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def archive_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def history(ref):
    """Four days of simulated traffic ending now: tickets in every state, returns, revisits, reopenings."""
    from hotline.demo.simulator import simulate

    now = timezone.now()
    stats, _seconds = simulate(days=4, per_day=45, seed=7, end=now)
    assert stats.tickets > 100
    return now


@pytest.fixture
def past_history(ref):
    """Four finished days of simulated traffic ending at the start of today (local time)."""
    from hotline.demo.simulator import simulate

    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    simulate(days=4, per_day=45, seed=11, end=midnight - dt.timedelta(seconds=1))
    return midnight
