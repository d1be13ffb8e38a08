"""The outbox: one row per message to one recipient, sent by a transport plugin with retries.

Delivery is not business state: a message that cannot be sent stays a row to retry and never
changes a ticket's status.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Delivery(models.Model):
    """One message to one recipient, sent by a transport plugin with retries."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("e-mail")
        # The unit's inbox on the platform, for units without a number to text.
        INBOX = "inbox", _("platform inbox")
        # A partner system's HTTPS endpoint, signed (HMAC-SHA256) with the partner's secret.
        WEBHOOK = "webhook", _("webhook")

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery state", "pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    # What makes a message the same message: enqueueing one key twice leaves one row.
    key = models.CharField(_("key"), max_length=120, unique=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.SMS)
    address = models.CharField(_("address"), max_length=120)
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)
    transport = models.CharField(_("transport"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_state_next_attempt")]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_state_display()})"
