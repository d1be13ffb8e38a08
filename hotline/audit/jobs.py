"""The audit trail's periodic job: rows older than the retention period go."""

from __future__ import annotations

import datetime as dt

from hotline.worker.schedule import job

from .services import prune


@job("audit_retention", every=dt.timedelta(days=1), order=120, help="delete audit rows past their retention")
def audit_retention(now: dt.datetime) -> dict:
    return {"deleted": prune(now)}
