"""One schedule of periodic jobs, each a small idempotent step run by ``hotline worker``.

Apps register their own jobs in a ``jobs.py`` module (found when the worker app is ready, as
Django's admin finds ``admin.py``), so this bottom layer names no app above it; pretix does the
same with its periodic-task signal.

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

from .models import JobRun

log = logging.getLogger(__name__)

JobFunction = Callable[[dt.datetime], dict]


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: JobFunction
    help: str
    # Position within a tick: deadline states first, then the orders they trigger, then the
    # messages those orders queued, then the slower analyses.
    order: int = 100


_JOBS: dict[str, Job] = {}


def job(name: str, *, every: dt.timedelta, help: str, order: int = 100) -> Callable[[JobFunction], JobFunction]:
    """Register the decorated ``fn(now) -> dict`` as a periodic job."""

    def register(fn: JobFunction) -> JobFunction:
        existing = _JOBS.get(name)
        if existing is not None and existing.run is not fn:
            raise ValueError(f"two jobs are named {name!r}")
        _JOBS[name] = Job(name, every, fn, help, order)
        return fn

    return register


def jobs() -> list[Job]:
    """Every registered job in the order a tick runs them."""
    return sorted(_JOBS.values(), key=lambda j: (j.order, j.name))


def get(name: str) -> Job:
    try:
        return _JOBS[name]
    except KeyError:
        raise KeyError(f"no job named {name!r}; known: {sorted(_JOBS)}") from None


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
    job = get(name)
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


def tick(
    *,
    now: dt.datetime | None = None,
    force: bool = False,
    only: list[str] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> dict[str, dict]:
    """Run every job that is due (or every job with ``force``), in schedule order; ``stop()``
    turning true (the worker was asked to stop) ends the tick before the next job."""
    now = now or timezone.now()
    out = {}
    for entry in jobs():
        if only and entry.name not in only:
            continue
        if stop():
            break
        result = run_job(entry.name, now=now, force=force)
        if result is not None:
            out[entry.name] = result
    return out
