"""The outbox's periodic job: send what is due."""

from __future__ import annotations

import datetime as dt

from hotline.worker.schedule import job

from .delivery import deliver_due


@job("deliver", every=dt.timedelta(minutes=1), order=60, help="send queued messages")
def deliver(now: dt.datetime) -> dict:
    return deliver_due(now=now)
