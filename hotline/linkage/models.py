"""联动: transfers between 12345 and 110 (and 119, 120, 122, and other cities' 12345 centres),
both ways, with the lists of matters that go each way and each direction's time limit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    """The other side of a transfer: an emergency service or another city's 12345 centre."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("emergency service")
        CITY = "city", _("another city's 12345 centre")

    code = models.SlugField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # For another city's centre: the city or province name that addresses there carry ("北京市").
    # The centre with an empty place is the national platform, which forwards to any city.
    place = models.CharField(_("place"), max_length=32, blank=True)
    # Inbound requests from this agency register on this channel.
    channel = models.ForeignKey(
        "intake.Channel", verbose_name=_("channel"), null=True, blank=True, on_delete=models.PROTECT
    )
    # 12345 → them: minutes for their receipt; them → 12345: hours for our feedback.
    receipt_minutes = models.PositiveIntegerField(_("receipt due (minutes)"), default=30)
    feedback_hours = models.PositiveIntegerField(_("feedback due (hours)"), default=24)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("linked agency")
        verbose_name_plural = _("linked agencies")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    OUT = "out", _("12345 → agency")
    IN = "in", _("agency → 12345")


class LinkageMatter(models.Model):
    """One item of a list of matters that go one way (e.g. 12345 → 110: 治安类 / 打架斗殴)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="matters")
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    category = models.CharField(_("class"), max_length=40)
    name = models.CharField(_("item"), max_length=80)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("linkage matter")
        verbose_name_plural = _("linkage matters")
        ordering = ["agency", "direction", "sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "direction", "category", "name"], name="linkage_matter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category}／{self.name}"


class Transfer(models.Model):
    """One hand-over of a ticket, out to an agency or in from it, with its receipt and feedback."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="transfers")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="transfers")
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    matter = models.ForeignKey(LinkageMatter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    # The other side's reference: 110's case number (接警编号), the other centre's ticket code.
    their_ref = models.CharField(_("their reference"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    due_at = models.DateTimeField(_("due at"))
    received_at = models.DateTimeField(_("receipt at"), null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-sent_at"]
        constraints = [
            # An inbound case arrives once, however often the other side retries it.
            models.UniqueConstraint(
                fields=["agency", "direction", "their_ref"],
                condition=models.Q(direction="in"),
                name="transfer_inbound_once",
            )
        ]
        indexes = [models.Index(fields=["direction", "due_at"], name="transfer_direction_due")]

    def __str__(self) -> str:
        return f"{self.agency} {self.get_direction_display()} {self.ticket_id}"
