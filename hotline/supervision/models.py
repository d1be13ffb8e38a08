"""督 supervision: supervision orders, spot checks and accountability.

Messages go out through ``hotline.outbox``; the schedule that runs the scans is ``hotline.worker``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderLevel(models.TextChoices):
    REMINDER = "reminder", _("reminder (催办)")
    NOTICE = "notice", _("supervision notice (督办)")
    PUBLIC = "public", _("public notice (通报)")
    REPEAT = "repeat", _("repeat complaint (重复投诉督办)")


LEVEL_RANK: dict[str, int] = {OrderLevel.REMINDER: 1, OrderLevel.REPEAT: 2, OrderLevel.NOTICE: 2, OrderLevel.PUBLIC: 3}


class SupervisionOrder(models.Model):
    """督办单: one escalation of one ticket's deadline. The unique key makes escalation idempotent:
    a job that runs twice, or two workers racing, leave one order per ticket, level and deadline."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="supervision_orders")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=10, choices=OrderLevel.choices)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)
    # The deadline this order is about (a reopened ticket or an extension brings a new one).
    due = models.DateTimeField(_("deadline"))
    reason = models.TextField(_("reason"), blank=True)
    issued_at = models.DateTimeField(_("issued at"), db_index=True)
    # Issued by hand by a leader or supervisor (empty: by the escalation ladder or a repeat scan).
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "level", "due"], name="supervision_order_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_level_display()}"


class SpotCheck(models.Model):
    """抽查/暗访: one closed ticket drawn for checking, why it was drawn, and what the checker found."""

    class Finding(models.TextChoices):
        PENDING = "", _("not checked yet")
        TRUE = "true", _("truly closed")
        FALSE = "false", _("false closure (假办结)")
        COERCED = "coerced", _("coerced satisfaction (被满意)")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="spot_checks")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    batch = models.CharField(_("batch"), max_length=40)
    risk = models.FloatField(_("risk score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    by_risk = models.BooleanField(_("drawn by risk"), default=True)
    drawn_at = models.DateTimeField(_("drawn at"))
    finding = models.CharField(_("finding"), max_length=8, choices=Finding.choices, blank=True, default="")
    note = models.TextField(_("note"), blank=True)
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-drawn_at", "-risk"]
        constraints = [models.UniqueConstraint(fields=["ticket", "batch"], name="spot_check_once_per_batch")]

    def __str__(self) -> str:
        return f"{self.batch} {self.ticket_id}"


class Appeal(models.Model):
    """申诉: a unit contests a revisit result, a dispatch, or a spot-check finding, with evidence,
    within the policy's window; a reviewer at the centre accepts or rejects it with a reason."""

    class Kind(models.TextChoices):
        REVISIT = "revisit", _("a revisit result")
        DISPATCH = "dispatch", _("a dispatch")
        SPOT_CHECK = "spot_check", _("a spot-check finding")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="appeals")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("appeal against"), max_length=12, choices=Kind.choices)
    revisit = models.ForeignKey(
        "evaluation.Revisit", null=True, blank=True, on_delete=models.CASCADE, related_name="appeals"
    )
    spot_check = models.ForeignKey(SpotCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="appeals")
    reason = models.TextField(_("reason and evidence"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    filed_at = models.DateTimeField(_("filed at"), db_index=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(_("reviewer's reason"), blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-filed_at"]
        constraints = [
            # One pending appeal per thing contested: a second one waits for the first decision.
            models.UniqueConstraint(
                fields=["ticket", "kind"], condition=models.Q(state="pending"), name="appeal_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_kind_display()} ({self.get_state_display()})"


class Accountability(models.Model):
    """问责记录: a finding held against a unit (a false closure, coerced satisfaction, a public notice)."""

    class Kind(models.TextChoices):
        FALSE_CLOSURE = "false_closure", _("false closure (假办结)")
        COERCED = "coerced", _("coerced satisfaction (被满意)")
        PUBLIC_NOTICE = "public_notice", _("publicly named (通报)")

    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    spot_check = models.OneToOneField(SpotCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    order = models.OneToOneField(
        SupervisionOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="accountability"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.get_kind_display()}"


class QaCriterion(models.Model):
    """话务质检: one line of the rubric the centre edits. ``auto_check`` names an automatic pre-check
    that marks the line before the reviewer looks (the reviewer has the last word)."""

    class Check(models.TextChoices):
        NONE = "", _("none (the reviewer judges)")
        FIVE_ELEMENTS = "five_elements", _("the request's five elements are there")
        MATTER_AND_KIND = "matter_kind", _("a matter and a kind are chosen")
        NO_PERSONAL_DATA_IN_TITLE = "title_clean", _("no phone or ID number in the title")

    text = models.CharField(_("criterion"), max_length=200)
    points = models.PositiveSmallIntegerField(_("points"), default=10)
    auto_check = models.CharField(_("automatic pre-check"), max_length=16, choices=Check.choices, blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("quality criterion")
        verbose_name_plural = _("quality rubric")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.text


class QaReview(models.Model):
    """One call of one operator drawn for the month's quality check, its pre-checks, the
    reviewer's marks, score and feedback. One per ticket: a call is rated once."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="qa_review")
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qa_reviews")
    month = models.CharField(_("month"), max_length=7, db_index=True)
    drawn_at = models.DateTimeField(_("drawn at"))
    # {criterion id: passed} from the automatic pre-checks, and the reviewer's final marks.
    prechecks = models.JSONField(_("pre-checks"), default=dict, blank=True)
    marks = models.JSONField(_("marks"), default=dict, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    feedback = models.TextField(_("feedback to the operator"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        ordering = ["month", "operator", "pk"]

    def __str__(self) -> str:
        return f"{self.month} {self.ticket_id}"
