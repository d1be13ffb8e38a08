"""Periodic jobs for the worker (one schedule, small idempotent steps; STYLE.md 10).

* ``scan_surges_job`` — hourly: raises each surge warning once, however often it runs.
* ``refresh_hotspots_job`` — nightly: replaces the stored hot issues of the last 30 days.
"""

from __future__ import annotations

import datetime as dt

from hotline.insight.services import refresh_hotspots
from hotline.insight.warnings import scan_surges

SCHEDULE = {
    "insight.scan_surges": dt.timedelta(hours=1),
    "insight.refresh_hotspots": dt.timedelta(days=1),
}


def scan_surges_job(now: dt.datetime | None = None) -> int:
    """The number of warnings raised by this run."""
    return len(scan_surges(now))


def refresh_hotspots_job(now: dt.datetime | None = None, days: int = 30) -> int:
    """The number of hot issues stored for the last ``days`` days."""
    return len(refresh_hotspots(days=days, now=now))
