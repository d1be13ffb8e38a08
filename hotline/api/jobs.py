"""The API's periodic job: queue webhook deliveries for changed tickets (the outbox sends them)."""

from __future__ import annotations

import datetime as dt

from hotline.worker.schedule import job

from .security import forget_windows
from .webhooks import queue_webhooks


@job("webhooks", every=dt.timedelta(minutes=1), order=55, help="queue partner webhook deliveries")
def webhooks(now: dt.datetime) -> dict:
    return queue_webhooks(now=now)


@job("api_rate_windows", every=dt.timedelta(hours=1), order=95, help="forget partner rate windows older than an hour")
def rate_windows(now: dt.datetime) -> dict:
    return {"deleted": forget_windows(now=now)}
