"""Public figures: volumes and the three rates by month and by district, with nothing personal in
them. The worker counts them every ten minutes into a snapshot and each web process caches the
snapshot: the public page is read far more often than it changes, and a year of tickets is too
much to count on a visitor's request."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from hotline.dbfuncs import LocalMonth
from hotline.evaluation.models import Revisit
from hotline.evaluation.selectors import three_rates, three_rates_by
from hotline.orgs.models import Region
from hotline.policy import services as policy
from hotline.policy.services import PolicyValues
from hotline.tickets.models import IMPORTED, VOID, Ticket

from .models import FiguresSnapshot, TypicalCase

CACHE_SECONDS = 600
MONTHS = 12
# Merged duplicates, invalid requests and imported history are not requests the city counts.
COUNTED = Ticket.objects.exclude(status__in=VOID).exclude(IMPORTED)


def _first_of_month(day: dt.date, back: int) -> dt.date:
    month = day.month - back
    year = day.year + (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1)


SNAPSHOT_MAX_AGE = dt.timedelta(hours=1)
SNAPSHOTS_KEPT = 24


def public_figures(now: dt.datetime | None = None, *, use_cache: bool = True) -> dict:
    """The figures the portal shows: from this process's cache, else from the worker's latest
    snapshot (at most an hour old), else counted now and kept as a snapshot."""
    now = timezone.localtime(now or timezone.now())
    if not use_cache:
        return _compute(now)
    key = f"publicity:figures:{now:%Y%m%d%H}{now.minute // 10}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    snapshot = FiguresSnapshot.objects.filter(computed_at__gte=now - SNAPSHOT_MAX_AGE, computed_at__lte=now).first()
    figures = _load(snapshot.data) if snapshot is not None else refresh_snapshot(now)
    cache.set(key, figures, CACHE_SECONDS)
    return figures


def refresh_snapshot(now: dt.datetime | None = None) -> dict:
    """Count the public figures and keep them as the latest snapshot (the worker runs this every
    ten minutes); older snapshots beyond the last day's are pruned."""
    now = timezone.localtime(now or timezone.now())
    figures = _compute(now)
    FiguresSnapshot.objects.create(computed_at=now, data=_dump(figures))
    stale = FiguresSnapshot.objects.values_list("pk", flat=True)[SNAPSHOTS_KEPT:]
    FiguresSnapshot.objects.filter(pk__in=list(stale)).delete()
    return figures


def _dump(figures: dict) -> dict:
    return {
        **figures,
        "months": [{**m, "month": m["month"].isoformat()} for m in figures["months"]],
        "this_month": {**figures["this_month"], "month": figures["this_month"]["month"].isoformat()},
        "as_of": figures["as_of"].isoformat(),
    }


def _load(data: dict) -> dict:
    return {
        **data,
        "months": [{**m, "month": dt.date.fromisoformat(m["month"])} for m in data["months"]],
        "this_month": {**data["this_month"], "month": dt.date.fromisoformat(data["this_month"]["month"])},
        "as_of": dt.datetime.fromisoformat(data["as_of"]),
    }


def _month_policy(month: object) -> PolicyValues:
    first = _as_date(month)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return policy.in_force(min(last, timezone.localdate()))


def _compute(now: dt.datetime) -> dict:
    months = [_first_of_month(now.date(), back) for back in range(MONTHS - 1, -1, -1)]
    start = timezone.make_aware(dt.datetime.combine(months[0], dt.time()))
    tickets: QuerySet[Ticket] = COUNTED.filter(received_at__gte=start)
    volume = {
        _as_date(row["month"]): row["n"]
        for row in tickets.annotate(month=LocalMonth("received_at")).values("month").annotate(n=Count("id")).order_by()
    }
    revisits = Revisit.objects.filter(recorded_at__gte=start).annotate(month=LocalMonth("recorded_at"))
    # Each month by the policy in force on its last day: a later change leaves past months as published.
    rates = {_as_date(k): v for k, v in three_rates_by(revisits, "month", rules_for=_month_policy).items()}
    empty = three_rates(Revisit.objects.none())
    by_month = [{"month": m, "n": volume.get(m, 0), "rates": rates.get(m, empty)} for m in months]
    month_start = timezone.make_aware(dt.datetime.combine(months[-1], dt.time()))
    names = dict(Region.objects.filter(level=Region.Level.DISTRICT).values_list("code", "name"))
    districts = [
        {"name": names.get(row["d"], row["d"]), "n": row["n"]}
        for row in COUNTED.filter(received_at__gte=month_start)
        .exclude(region=None)
        .annotate(d=Substr("region_id", 1, 6))
        .values("d")
        .annotate(n=Count("id"))
        .order_by("-n")
        if row["d"] in names
    ]
    return {
        "months": by_month,
        "this_month": by_month[-1],
        "year_total": sum(m["n"] for m in by_month),
        "year_rates": three_rates(Revisit.objects.filter(recorded_at__gte=start)),
        "districts": districts,
        "as_of": now,
    }


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def published_cases() -> QuerySet[TypicalCase]:
    return TypicalCase.objects.filter(published=True).select_related("matter", "district")
