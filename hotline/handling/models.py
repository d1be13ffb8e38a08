"""办 the unit's own rows: a handler's reply waiting for the unit manager's review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.tickets.models import ReplyClass


class ReplyDraft(models.Model):
    """A handler's reply held for the unit manager (负责人) when the unit reviews its replies
    (``Unit.reply_review``). Approving sends it through ``handling.services.reply`` unchanged;
    sending it back keeps it here with the reason, and the handler writes a new one. The ticket
    records each step as an event (``draft_reply``, ``send_back_reply``, then ``reply``)."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        APPROVED = "approved", _("approved and sent")
        SENT_BACK = "sent_back", _("sent back")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="reply_drafts")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("reply"))
    # 答复分类 as the handler chose it; the reply goes out with it when approved.
    reply_class = models.CharField(_("reply class"), max_length=16, choices=ReplyClass.choices, blank=True)
    evidence = models.TextField(_("evidence for the class"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("written at"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("reply draft")
        verbose_name_plural = _("reply drafts")
        constraints = [
            # One reply waits per ticket: a second, or a race of two, is refused by the database.
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(state="pending"), name="one_pending_reply_draft"
            )
        ]
        indexes = [models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        return f"{self.ticket} ({self.get_state_display()})"
