"""宣's periodic job: the portal's public figures, counted so a visitor never waits for them."""

from __future__ import annotations

import datetime as dt

from hotline.worker.schedule import job

from .selectors import refresh_snapshot


@job("public_figures", every=dt.timedelta(minutes=10), order=90, help="the portal's figures")
def public_figures(now: dt.datetime) -> dict:
    figures = refresh_snapshot(now)
    return {"requests_this_month": figures["this_month"]["n"]}
