"""The phone system's calls (CTI): one row per call, updated by its events; a missed call waits
for a call-back within its deadline (回拨)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Call(models.Model):
    class State(models.TextChoices):
        RINGING = "ringing", _("ringing")
        ANSWERED = "answered", _("answered")
        ENDED = "ended", _("ended")
        MISSED = "missed", _("missed")

    call_id = models.CharField(_("call id"), max_length=64, unique=True)
    caller = models.CharField(_("caller number"), max_length=20, db_index=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    rang_at = models.DateTimeField(_("rang at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    recording = models.URLField(_("recording"), max_length=300, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    # A missed call: call back by this time; done when called back.
    callback_due = models.DateTimeField(_("call back by"), null=True, blank=True)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            models.Index(fields=["operator", "state"], name="call_operator_state"),
            models.Index(fields=["state", "callback_due"], name="call_state_callback"),
        ]

    def __str__(self) -> str:
        return self.call_id
