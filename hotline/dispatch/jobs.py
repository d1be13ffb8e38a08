"""派's periodic job: learn from closed tickets and dispatchers' corrections."""

from __future__ import annotations

import datetime as dt

from hotline.worker.schedule import job

from .learning import retrain as retrain_model
from .learning import retrain_units


@job(
    "retrain",
    every=dt.timedelta(days=1),
    order=110,
    help="retrain the dispatch classifier and the unit router from closed tickets",
)
def retrain(now: dt.datetime) -> dict:
    row = retrain_model()
    return {"model": row.pk if row is not None else None, **retrain_units()}
