"""改 + 未诉先办's periodic jobs (one schedule, small idempotent steps; STYLE.md 10).

* ``surges`` — hourly: raises each surge warning once, however often it runs.
* ``hotspots`` — nightly: replaces the stored hot issues of the last 30 days.
"""

from __future__ import annotations

import datetime as dt

from hotline.worker.schedule import job

from .services import refresh_hotspots
from .warnings import scan_surges


@job("surges", every=dt.timedelta(hours=1), order=70, help="surge warnings")
def surges(now: dt.datetime) -> dict:
    return {"warnings": len(scan_surges(now))}


@job("hotspots", every=dt.timedelta(days=1), order=80, help="hot issues")
def hotspots(now: dt.datetime, days: int = 30) -> dict:
    return {"hot_issues": len(refresh_hotspots(days=days, now=now))}
