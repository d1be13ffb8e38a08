"""未诉先办 early warning: a matter rising in one township before it becomes a flood of complaints.

``scan_surges(now)`` is a periodic job (the worker runs it hourly; ``hotline insight surges`` runs
it by hand). For every matter × township it counts the requests of the last ``days`` days and
compares them with the township's own baseline for that matter:

* **trailing baseline** = the mean count of the ``weeks`` windows of the same length that end 1,
  2, … ``weeks`` weeks earlier (same weekdays, so the weekly rhythm cancels out), counting only
  windows that start after the first ticket on record (a young database has fewer); with no such
  window there is no baseline and no warning;
* **seasonal factor** = for the same matter city-wide, the count of the window one year earlier
  divided by the mean of the ``weeks`` windows before that one; 1 when there is no data a year
  back (a heating matter in November is expected to rise, a young system has no year yet);
* **baseline** = trailing baseline × seasonal factor.

A surge is a count of at least ``MIN_COUNT`` that is at least twice the baseline and at least
baseline + 3 × √max(baseline, 1) (three standard deviations of a Poisson count). Each surge
becomes one ``SurgeWarning`` with the window's tickets; a matter × township that already has a
warning overlapping the window gets no second one, so running the scan any number of times
raises each warning once.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from hotline.insight.models import Hotspot, SurgeWarning
from hotline.tickets.models import VOID, Ticket

# With ~20,000 matter × township cells a week, a floor of 8 keeps chance bursts of a quiet cell
# (Poisson, mean below 1) out: P(X ≥ 8 | 0.75) ≈ 1.5e-7.
MIN_COUNT = 8
RATIO = 2.0
SIGMAS = 3.0
YEAR = dt.timedelta(weeks=52)


def _counts(
    start: dt.datetime, end: dt.datetime, windows: list[tuple[dt.datetime, dt.datetime]], by: tuple[str, ...]
) -> dict[tuple[Any, ...], list[int]]:
    """One grouped query: per ``by`` key, the ticket count in each window."""
    qs = Ticket.objects.filter(received_at__gte=start, received_at__lt=end, matter__isnull=False).exclude(
        status__in=VOID
    )
    if "region" in by:
        qs = qs.filter(region__isnull=False)
    aggregates = {
        f"w{i}": Count("pk", filter=Q(received_at__gte=a, received_at__lt=b)) for i, (a, b) in enumerate(windows)
    }
    return {
        tuple(row[k] for k in by): [row[f"w{i}"] for i in range(len(windows))]
        for row in qs.values(*by).annotate(**aggregates)
    }


def is_surge(count: int, baseline: float) -> bool:
    return count >= MIN_COUNT and count >= RATIO * baseline and count >= baseline + SIGMAS * math.sqrt(max(baseline, 1))


def _seasonal_factors(window_start: dt.datetime, now: dt.datetime, days: int, weeks: int) -> dict[int, float]:
    step = dt.timedelta(weeks=1)
    span = dt.timedelta(days=days)
    ago_start, ago_end = window_start - YEAR, now - YEAR
    windows = [(ago_start, ago_end)] + [(ago_start - k * step, ago_end - k * step) for k in range(1, weeks + 1)]
    factors = {}
    for (matter_id,), counts in _counts(windows[-1][0], ago_end, windows, ("matter_id",)).items():
        prior = sum(counts[1:]) / weeks
        if prior > 0 and span:
            factors[matter_id] = max(0.5, min(3.0, counts[0] / prior))
    return factors


@dataclass(frozen=True)
class Surge:
    matter_id: int
    region_id: int
    count: int
    baseline: float


def find_surges(now: dt.datetime, *, days: int = 7, weeks: int = 8) -> tuple[dt.datetime, list[Surge]]:
    """The window start and the surges in [now − days, now); nothing is written."""
    if days < 1 or weeks < 1:
        raise ValueError("days and weeks must be at least 1")
    span = dt.timedelta(days=days)
    step = dt.timedelta(weeks=1)
    start = now - span
    windows = [(start, now)] + [(start - k * step, now - k * step) for k in range(1, weeks + 1)]
    first = Ticket.objects.order_by("received_at").values_list("received_at", flat=True).first()
    usable = sum(1 for a, _b in windows[1:] if first is not None and a >= first)
    if usable == 0:
        return start, []
    windows = windows[: usable + 1]
    counts = _counts(windows[-1][0], now, windows, ("matter_id", "region_id"))
    factors = _seasonal_factors(start, now, days, weeks)
    surges = []
    for (matter_id, region_id), series in counts.items():
        baseline = sum(series[1:]) / usable * factors.get(matter_id, 1.0)
        if is_surge(series[0], baseline):
            surges.append(Surge(matter_id, region_id, series[0], round(baseline, 2)))
    surges.sort(key=lambda s: (-(s.count / max(s.baseline, 1)), s.matter_id, s.region_id))
    return start, surges


def scan_surges(now: dt.datetime | None = None, *, days: int = 7, weeks: int = 8) -> list[SurgeWarning]:
    """Raise a warning for each new surge (idempotent: see the module docstring). Returns the
    warnings raised by this run."""
    now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    start, surges = find_surges(now, days=days, weeks=weeks)
    raised = []
    for s in surges:
        if SurgeWarning.objects.filter(matter_id=s.matter_id, region_id=s.region_id, period_end__gt=start).exists():
            continue
        try:
            with transaction.atomic():
                warning = SurgeWarning.objects.create(
                    matter_id=s.matter_id,
                    region_id=s.region_id,
                    period_start=start,
                    period_end=now,
                    count=s.count,
                    baseline=s.baseline,
                )
                ids = (
                    Ticket.objects.filter(
                        matter_id=s.matter_id, region_id=s.region_id, received_at__gte=start, received_at__lt=now
                    )
                    .exclude(status__in=VOID)
                    .values_list("pk", flat=True)
                )
                warning.tickets.set(list(ids))
        except IntegrityError:  # a concurrent scan raised the same warning first
            continue
        raised.append(warning)
    return raised


def acknowledge(warning: SurgeWarning) -> None:
    SurgeWarning.objects.filter(pk=warning.pk).update(state=SurgeWarning.State.ACKNOWLEDGED)
    warning.refresh_from_db()


@dataclass(frozen=True)
class Candidate:
    """One entry of the monthly list of issues for the city to tackle (每月一题)."""

    title: str
    heat: float
    requests: int
    source: str  # "hotspot" or "surge"
    hotspot_id: int | None = None
    warning_id: int | None = None


def monthly_candidates(year: int, month: int, *, top: int = 5) -> list[Candidate]:
    """每月一题: the month's hottest stored hot issues and its surges, one list ranked by heat (a
    surge counts as heat = its count × its ratio to the baseline, capped at 5; a surge over next to
    no baseline counts at the cap)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    out: list[Candidate] = []
    last_run = (
        Hotspot.objects.filter(period_end__gte=start, period_end__lt=end)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    if last_run:
        for h in Hotspot.objects.filter(period_end=last_run).order_by("rank")[: top * 2]:
            out.append(Candidate(h.title, h.heat, h.size, "hotspot", hotspot_id=h.pk))
    for w in SurgeWarning.objects.filter(period_end__gte=start, period_end__lt=end).select_related("matter", "region"):
        heat = w.count * (5.0 if w.ratio is None else min(5.0, w.ratio))  # a new matter counts as the cap
        out.append(Candidate(f"{w.region.name}：{w.matter.name}", round(heat, 2), w.count, "surge", warning_id=w.pk))
    out.sort(key=lambda c: -c.heat)
    return out[:top]
