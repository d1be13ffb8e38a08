"""报's periodic job: archive every finished day, week and month."""

from __future__ import annotations

import datetime as dt

from hotline.worker.schedule import job

from .services import generate_due_reports


@job("reports", every=dt.timedelta(hours=1), order=100, help="archive reports")
def reports(now: dt.datetime) -> dict:
    return {"reports": len(generate_due_reports(now))}
