"""改 + 未诉先办: hot issues found in the tickets, rectification projects, surge warnings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hotline import limits


class Hotspot(models.Model):
    """One hot issue (热点问题) of one analysis run over a period; a new run for the same period
    replaces the old rows (``services.refresh_hotspots``)."""

    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"), db_index=True)
    rank = models.PositiveSmallIntegerField(pgettext_lazy("hot issue", "rank"))
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=100, blank=True)
    keywords = models.JSONField(_("keywords"), default=list)
    size = models.PositiveIntegerField(_("requests"))
    requesters = models.PositiveIntegerField(_("distinct requesters"))
    support = models.PositiveIntegerField(_("support"), default=0)
    growth = models.FloatField(_("growth"), default=0)
    heat = models.FloatField(_("heat"))
    first_at = models.DateTimeField(_("first request"), null=True, blank=True)
    last_at = models.DateTimeField(_("last request"), null=True, blank=True)
    places = models.JSONField(_("places"), default=list)
    tickets = models.ManyToManyField("tickets.Ticket", verbose_name=_("tickets"), related_name="hotspots")
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("hot issue")
        verbose_name_plural = _("hot issues")
        ordering = ["-period_end", "rank"]

    def __str__(self) -> str:
        return self.title


class RectificationProject(models.Model):
    """整改: a hot issue taken on as a project with a lead unit, measures and milestones."""

    class State(models.TextChoices):
        OPEN = "open", _("in progress")
        DONE = "done", _("completed")

    title = models.CharField(_("title"), max_length=limits.PROJECT_TITLE)
    hotspot = models.ForeignKey(
        Hotspot, verbose_name=_("hot issue"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="rectification_projects"
    )
    place = models.CharField(
        _("place"), max_length=limits.PROJECT_PLACE, help_text=_("The estate, road or village the project is about.")
    )
    region = models.ForeignKey("orgs.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT)
    matters = models.ManyToManyField("catalog.Matter", verbose_name=_("matters"), blank=True)
    measures = models.TextField(_("measures"))
    measures_from = models.DateTimeField(
        _("measures in force from"), help_text=_("Complaints before and after this moment are compared.")
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    tickets = models.ManyToManyField(
        "tickets.Ticket", verbose_name=_("linked tickets"), related_name="rectification_projects", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rectification project")
        verbose_name_plural = _("rectification projects")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # ``services.create_project`` checks its caps; this holds the admin's form to the same one.
        limits.check_lengths(measures=(self.measures, limits.RESULT))


class Milestone(models.Model):
    project = models.ForeignKey(RectificationProject, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=limits.MILESTONE)
    due = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title


class SurgeWarning(models.Model):
    """未诉先办: requests for one matter in one township rose well above their own baseline.
    One row per matter × township × period, however often the scan runs."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")

    matter = models.ForeignKey("catalog.Matter", verbose_name=_("matter"), on_delete=models.PROTECT)
    region = models.ForeignKey("orgs.Region", verbose_name=_("township"), on_delete=models.PROTECT)
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    count = models.PositiveIntegerField(_("requests"))
    baseline = models.FloatField(_("baseline"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    tickets = models.ManyToManyField("tickets.Ticket", verbose_name=_("tickets"), related_name="surge_warnings")
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("surge warning")
        verbose_name_plural = _("surge warnings")
        ordering = ["-period_end", "-count"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "region", "period_start"], name="surge_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.matter}"

    # Below this many expected requests a ratio says nothing (9 over 0.0 is no "9.0×", 9 over 0.1
    # no "90×"): the matter is new at the place, and the warning says so instead (m6).
    RATIO_FLOOR = 0.5

    @property
    def is_new(self) -> bool:
        return self.baseline < self.RATIO_FLOOR

    @property
    def ratio(self) -> float | None:
        """How many times the baseline the count is; None when the baseline is too small to divide by."""
        return None if self.is_new else self.count / self.baseline
