"""评's periodic jobs: rating links by SMS, and closing tickets whose revisit window passed."""

from __future__ import annotations

import datetime as dt

from hotline.worker.schedule import job

from .links import send_rating_links
from .services import close_expired_revisits


@job("rating_links", every=dt.timedelta(minutes=10), order=40, help="SMS revisit links")
def rating_links(now: dt.datetime) -> dict:
    return send_rating_links(now=now)


@job("close_revisits", every=dt.timedelta(minutes=15), order=50, help="close tickets whose revisit window passed")
def close_revisits(now: dt.datetime) -> dict:
    return {"closed": close_expired_revisits(now=now)}
