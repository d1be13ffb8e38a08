"""Report periods (报表周期): a day, an ISO week (Monday to Sunday) or a calendar month, in local time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DAILY = "daily", _("daily report")
    WEEKLY = "weekly", _("weekly report")
    MONTHLY = "monthly", _("monthly report")
    SAFETY_DAILY = "safety-daily", _("safety-hazard daily report")


@dataclass(frozen=True)
class Period:
    kind: str
    first: dt.date  # first day
    last: dt.date  # last day, inclusive

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @property
    def start(self) -> dt.datetime:
        """The period's first instant, in the current (local) time zone."""
        return _midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """The instant after the period's last day (exclusive)."""
        return _midnight(self.last + dt.timedelta(days=1))

    def previous(self) -> Period:
        return period_for(self.kind, self.first - dt.timedelta(days=1))

    def is_complete(self, now: dt.datetime) -> bool:
        return now >= self.end

    def slug(self) -> str:
        return f"{self.kind}-{self.first:%Y%m%d}"


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def period_for(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` that contains ``day``. Unknown kinds are refused with ValueError."""
    if kind in (Kind.DAILY, Kind.SAFETY_DAILY):
        return Period(kind, day, day)
    if kind == Kind.WEEKLY:
        monday = day - dt.timedelta(days=day.weekday())
        return Period(kind, monday, monday + dt.timedelta(days=6))
    if kind == Kind.MONTHLY:
        first = day.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return Period(kind, first, following - dt.timedelta(days=1))
    raise ValueError(f"unknown report kind {kind!r}; choose one of {', '.join(Kind.values)}")
