"""Revisits (回访): what the citizen says after the unit replied."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Satisfaction(models.TextChoices):
    """The grades a citizen may give, best first. A centre offers three (satisfied, basically
    satisfied, dissatisfied) or all five (the policy's ``satisfaction_scale``); each grade's weight
    in the satisfaction rate is the policy's too."""

    VERY_SATISFIED = "very_satisfied", _("very satisfied")
    SATISFIED = "satisfied", _("satisfied")
    BASIC = "basic", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")
    VERY_DISSATISFIED = "very_dissatisfied", _("very dissatisfied")


THREE_GRADES = (Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.DISSATISFIED)
# A dissatisfied citizen with a problem the unit can act on gets a redo (重办).
DISSATISFIED_GRADES = (Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED)
# Grades that count as content where a yes/no is needed (typical cases, spot-check risk).
SATISFIED_GRADES = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED)


class Revisit(models.Model):
    class Method(models.TextChoices):
        PHONE = "phone", _("phone")
        SMS = "sms", _("SMS link")

    class Outcome(models.TextChoices):
        VALID = "valid", _("valid")
        UNREACHABLE = "unreachable", _("unreachable")
        REFUSED = "refused", pgettext_lazy("revisit outcome", "refused")
        # A spot check found the closure false or the satisfaction coerced: the answer no longer counts.
        VOIDED = "voided", _("voided by a spot check")
        # A unit's appeal against it was accepted: the answer leaves the rates.
        APPEALED = "appealed", _("withdrawn on appeal")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="revisits")
    method = models.CharField(_("method"), max_length=8, choices=Method.choices, default=Method.PHONE)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.VALID)
    contacted = models.BooleanField(_("contacted by the unit"), null=True)
    solved = models.BooleanField(_("solved"), null=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True)
    # The unit could act on the complaint: a dissatisfied citizen with this set reopens the ticket.
    actionable = models.BooleanField(_("unit can act on it"), default=False)
    note = models.TextField(_("note"), blank=True)
    lead_unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    # 并单: the ticket merged into ``ticket`` whose requester this revisit asked; empty for the
    # ticket's own requester. Each requester of a group is revisited once per reply, and each such
    # revisit counts once in the rates (as a revisit of the group's unit).
    requester = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("merged requester's ticket"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="requester_revisits",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)

    class Meta:
        verbose_name = _("revisit")
        verbose_name_plural = _("revisits")
        # The month's ranking reads valid revisits of a period grouped by unit.
        indexes = [
            models.Index(fields=["outcome", "recorded_at", "lead_unit"], name="revisit_rates_idx"),
            # The three rates of a period (dashboard, reports, unit scores) read every answer of the
            # period's revisits: covered here, they are read from the index alone.
            models.Index(
                fields=["recorded_at", "outcome", "lead_unit", "contacted", "solved", "satisfaction"],
                name="revisit_rates_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_outcome_display()} {self.get_satisfaction_display()}"

    @property
    def is_valid(self) -> bool:
        return self.outcome == self.Outcome.VALID


class Praise(models.Model):
    """表扬: a citizen's praise of a unit, recorded from a call (or a revisit), counted per month."""

    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="praises"
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)

    class Meta:
        verbose_name = _("praise")
        verbose_name_plural = _("praise")
        constraints = [
            # One praise of one unit per call: recording the same call twice counts once.
            models.UniqueConstraint(
                fields=["ticket", "unit"], condition=models.Q(ticket__isnull=False), name="praise_once_per_ticket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.recorded_at:%Y-%m-%d}"
