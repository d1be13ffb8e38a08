"""The centre's policy as dated rows (评 and 督 figures): each row is in force from its date until
the next row's. Figures for a past period are computed with the row in force then, so a change
made today never rewrites last month's ranking. A row in force is never edited: a change is a new
row from today or a later day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ZoneMode(models.TextChoices):
    THRESHOLD = "threshold", _("by composite score thresholds")
    RANK = "rank", _("by ranking shares")


class Policy(models.Model):
    effective_from = models.DateField(_("in force from"), unique=True)
    note = models.TextField(_("why this change"))

    # 评: the three rates, the composite, the zones.
    satisfaction_scale = models.CharField(
        _("satisfaction scale"),
        max_length=5,
        choices=[("three", _("three grades")), ("five", _("five grades"))],
        default="three",
    )
    weight_very_satisfied = models.FloatField(_("“very satisfied” counted as"), default=1.0)
    weight_satisfied = models.FloatField(_("“satisfied” counted as"), default=1.0)
    basic_share = models.FloatField(_("share of “basically satisfied” counted as satisfied"))
    weight_dissatisfied = models.FloatField(_("“dissatisfied” counted as"), default=0.0)
    weight_very_dissatisfied = models.FloatField(_("“very dissatisfied” counted as"), default=0.0)
    weight_response = models.FloatField(_("weight of the response rate"))
    weight_resolution = models.FloatField(_("weight of the resolution rate"))
    weight_satisfaction = models.FloatField(_("weight of the satisfaction rate"))
    zone_mode = models.CharField(_("zones"), max_length=10, choices=ZoneMode.choices)
    zone_blue = models.FloatField(_("blue from (composite score)"))
    zone_yellow = models.FloatField(_("yellow from (composite score)"))
    zone_blue_rank = models.FloatField(_("blue share of ranked units"))
    zone_red_rank = models.FloatField(_("red share of ranked units"))
    min_revisits = models.PositiveIntegerField(_("minimum valid revisits to be ranked"))

    class_policies = models.JSONField(
        _("how each reply class counts in the rates"),
        default=dict,
        help_text=_(
            'e.g. {"explained": "count", "unreasonable": "exclude", "outside_remit": "exclude", '
            '"legal_route": "exclude"}: count, exclude (the revisit leaves the rates) or solved.'
        ),
    )

    # 督: the escalation ladder, and the centre's own clocks.
    ladder = models.JSONField(
        _("escalation ladder"),
        help_text=_(
            'A list of levels, e.g. [{"level": "reminder", "offset_days": -1, "to": ["unit"]}]: '
            "level reminder, notice or public; working days from the deadline (negative: before); "
            "recipients unit, parent, centre."
        ),
    )
    dispatch_due = models.CharField(
        _("dispatch deadline by urgency"),
        max_length=200,
        help_text=_("e.g. emergency=20m,urgent=2h,normal=1d (m minutes, h hours, d working days)"),
    )
    response_due = models.CharField(
        _("first-response deadline by channel kind"),
        max_length=200,
        blank=True,
        help_text=_("e.g. app=2h,web=2h,mail=1d; kinds not listed have none"),
    )

    # 办: extension caps and long-running matters (长周期).
    extension_max_count = models.PositiveSmallIntegerField(
        _("approved extensions per handling cycle, at most"), default=3
    )
    extension_max_days = models.PositiveSmallIntegerField(_("working days per extension, at most"), default=7)
    long_cycle_max_days = models.PositiveSmallIntegerField(
        _("long-running matter: days to resolve, at most"), default=180
    )
    progress_every_days = models.PositiveSmallIntegerField(
        _("long-running matter: a progress update every (working days)"), default=5
    )

    appeal_working_days = models.PositiveSmallIntegerField(_("appeal window (working days)"), default=3)
    reply_review = models.CharField(
        _("replies reviewed before the revisit"),
        max_length=5,
        choices=[("none", _("none")), ("all", _("all")), ("risk", _("the risky ones"))],
        default="none",
    )

    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return str(_("policy in force from %(day)s") % {"day": f"{self.effective_from:%Y-%m-%d}"})
