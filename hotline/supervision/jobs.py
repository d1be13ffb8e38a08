"""One schedule of periodic jobs, each a small idempotent step run by ``hotline worker``.

The schedule's memory is a ``JobRun`` row per job, so a worker stopped and restarted picks up
where it was: a job whose interval passed while it was down simply runs on the next tick, and
because every job is idempotent, running one twice does no harm (one reminder, one order).
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hotline.dispatch.learning import retrain
from hotline.evaluation.links import send_rating_links
from hotline.evaluation.services import close_expired_revisits
from hotline.insight.tasks import refresh_hotspots_job, scan_surges_job
from hotline.publicity.selectors import refresh_snapshot
from hotline.reports.services import generate_due_reports

from . import delivery, orders, scan
from .models import JobRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable[..., dict]
    help: str


def _public_figures(now: dt.datetime) -> dict:
    figures = refresh_snapshot(now)
    return {"requests_this_month": figures["this_month"]["n"]}


def _retrain(now: dt.datetime) -> dict:
    row = retrain()
    return {"model": row.pk if row is not None else None}


def _close_revisits(now: dt.datetime) -> dict:
    return {"closed": close_expired_revisits(now=now)}


# The one schedule. Order matters within a tick: states first, then the orders they trigger, then
# the messages those orders queued.
SCHEDULE: list[Job] = [
    Job("deadline_scan", dt.timedelta(minutes=5), lambda now: scan.scan_deadlines(now=now), "deadline states"),
    Job("escalate", dt.timedelta(minutes=5), lambda now: orders.escalate(now=now), "reminders and orders"),
    Job("repeat_complaints", dt.timedelta(hours=1), lambda now: orders.repeat_complaints(now=now), "repeats"),
    Job("rating_links", dt.timedelta(minutes=10), lambda now: send_rating_links(now=now), "SMS revisit links"),
    Job("close_revisits", dt.timedelta(minutes=15), _close_revisits, "close tickets whose revisit window passed"),
    Job("deliver", dt.timedelta(minutes=1), lambda now: delivery.deliver_due(now=now), "send queued messages"),
    # 改 + 未诉先办, 报 and 派's learning run on the same schedule.
    Job("surges", dt.timedelta(hours=1), lambda now: {"warnings": scan_surges_job(now)}, "surge warnings"),
    Job("hotspots", dt.timedelta(days=1), lambda now: {"hot_issues": refresh_hotspots_job(now)}, "hot issues"),
    Job("public_figures", dt.timedelta(minutes=10), lambda now: _public_figures(now), "the portal's figures"),
    Job("reports", dt.timedelta(hours=1), lambda now: {"reports": len(generate_due_reports(now))}, "archive reports"),
    Job("retrain", dt.timedelta(days=1), _retrain, "retrain the dispatch classifier from closed tickets"),
]
JOBS = {job.name: job for job in SCHEDULE}


def _claim(job: Job, now: dt.datetime, force: bool) -> bool:
    """Mark the job started if it is due; a compare-and-set, so two workers never run one tick twice."""
    with transaction.atomic():
        row, _created = JobRun.objects.get_or_create(name=job.name)
    if not force and row.last_started_at is not None and now - row.last_started_at < job.every:
        return False
    return bool(
        JobRun.objects.filter(name=job.name, last_started_at=row.last_started_at).update(
            last_started_at=now, runs=row.runs + 1
        )
    )


def run_job(name: str, *, now: dt.datetime | None = None, force: bool = True) -> dict | None:
    """Run one job (when due, or always with ``force``). Returns its result, or None if not run.
    An error is recorded on the job's row and logged; it never stops the other jobs."""
    job = JOBS[name]
    now = now or timezone.now()
    if not _claim(job, now, force):
        return None
    try:
        result = job.run(now)
    except Exception as exc:
        log.exception("job %s failed", name)
        JobRun.objects.filter(name=name).update(
            last_finished_at=timezone.now(), last_error=traceback.format_exc()[-4000:], last_result=repr(exc)[:200]
        )
        return {"error": str(exc)}
    JobRun.objects.filter(name=name).update(
        last_finished_at=timezone.now(), last_error="", last_result=str(result)[:200]
    )
    return result


def tick(*, now: dt.datetime | None = None, force: bool = False, only: list[str] | None = None) -> dict[str, dict]:
    """Run every job that is due (or every job with ``force``), in schedule order."""
    now = now or timezone.now()
    out = {}
    for job in SCHEDULE:
        if only and job.name not in only:
            continue
        result = run_job(job.name, now=now, force=force)
        if result is not None:
            out[job.name] = result
    return out
