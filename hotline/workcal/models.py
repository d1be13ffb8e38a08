"""The working-day calendar: official holidays and 调休 working weekends, editable by admins."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official schedule has been entered; deadlines in other years are provisional."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    complete = models.BooleanField(
        _("schedule complete"),
        default=False,
        help_text=_("Tick once the State Council's holiday schedule for this year is fully entered."),
    )
    source = models.CharField(_("source"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class SpecialDay(models.Model):
    """A day that breaks the Monday–Friday rule: a holiday on a weekday or a working weekend."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"), help_text=_("Ticked for a 调休 working weekend day."))
    name = models.CharField(_("name"), max_length=32, blank=True)
    source = models.CharField(_("source"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("holiday or working weekend")
        verbose_name_plural = _("holidays and working weekends")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
