"""安全审计: who signed in or failed to, whose role or unit changed, who read personal data or
exported tickets, from which address, when. Rows are written, never edited, and pruned after the
retention period (HOTLINE_AUDIT_RETENTION_DAYS)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("signed in")
        LOGIN_FAILED = "login_failed", _("failed sign-in")
        LOCKED_OUT = "locked_out", _("sign-in locked")
        LOGOUT = "logout", _("signed out")
        ACCOUNT = "account", _("account created or changed")
        ROLE = "role", _("role or unit changed")
        PERSONAL_DATA = "personal_data", _("personal data viewed")
        EXPORT = "export", _("export")

    at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    # Who acted: the account (kept as a name too, so the row outlives the account and a failed
    # sign-in with an unknown name is recorded as typed).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.CharField(_("address"), max_length=45, blank=True)
    # What it was about: a ticket code, the account changed, the export's filter.
    target = models.CharField(_("about"), max_length=200, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["kind", "at"]), models.Index(fields=["username", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"
