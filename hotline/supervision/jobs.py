"""督's periodic jobs: deadline states first, then the orders they trigger."""

from __future__ import annotations

import datetime as dt

from hotline.worker.schedule import job

from . import orders, scan


@job("deadline_scan", every=dt.timedelta(minutes=5), order=10, help="deadline states")
def deadline_scan(now: dt.datetime) -> dict:
    return scan.scan_deadlines(now=now)


@job("escalate", every=dt.timedelta(minutes=5), order=20, help="reminders and orders")
def escalate(now: dt.datetime) -> dict:
    # The units' resolution deadlines, then the centre's own late dispatches.
    return {**orders.escalate(now=now), "dispatch": sum(orders.escalate_dispatch(now=now).values())}


@job("repeat_complaints", every=dt.timedelta(hours=1), order=30, help="repeats")
def repeat_complaints(now: dt.datetime) -> dict:
    return orders.repeat_complaints(now=now)
