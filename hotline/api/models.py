"""Partner clients of the API, their calls (audit), idempotency records and what they submitted.

A client's token is shown once and stored as a SHA-256 hash: tokens are long random strings, so a
fast hash is enough (a password hash would cost every call 100 ms for nothing).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "hl_"


class Scope(models.TextChoices):
    SUBMIT = "submit", _("submit requests")
    READ_OWN = "read_own", _("read own requests")
    UNIT_WORK = "unit_work", _("unit work")
    TRANSFER = "transfer", _("transfers (110/119/120/122, other cities)")
    CALLS = "calls", _("call events")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_allow_list(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """One address or network per line (or comma-separated); ValueError names a bad one."""
    nets = []
    for part in text.replace(",", "\n").splitlines():
        part = part.strip()
        if part:
            nets.append(ipaddress.ip_network(part, strict=False))
    return nets


class PartnerClient(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    channel = models.ForeignKey("intake.Channel", verbose_name=_("channel"), on_delete=models.PROTECT)
    # Comma-separated Scope values.
    scopes = models.CharField(_("scopes"), max_length=120, blank=True)
    # A department's own system acts for this unit, through its account (a unit handler's Staff row).
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A 110/119/120/122 or other centre's system: the agency it speaks for (transfers).
    agency = models.ForeignKey(
        "linkage.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    rate_limit = models.PositiveIntegerField(_("requests per minute"), default=600)
    ip_allow = models.TextField(
        _("IP allow-list"), blank=True, help_text=_("One address or network per line; empty allows any.")
    )
    token_prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    webhook_url = models.URLField(_("webhook URL"), max_length=120, blank=True)
    webhook_secret = models.CharField(max_length=64, blank=True, editable=False)
    # The last ticket event already queued for the webhook.
    webhook_cursor = models.BigIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner client")
        verbose_name_plural = _("partner clients")

    def __str__(self) -> str:
        return self.name

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split(",") if s)

    def clean(self) -> None:
        try:
            parse_allow_list(self.ip_allow)
        except ValueError as exc:
            raise ValidationError({"ip_allow": str(exc)})
        if Scope.TRANSFER in self.scope_set and self.agency_id is None:
            raise ValidationError({"agency": _("A client with transfers speaks for an agency: choose it.")})
        if Scope.UNIT_WORK in self.scope_set and self.unit_id is None:
            raise ValidationError({"unit": _("A client with unit work acts for a unit: choose it.")})

    def issue_token(self) -> str:
        """A new token (the old one stops working); returned once, kept only as its hash."""
        prefix = secrets.token_hex(6)
        token = f"{TOKEN_PREFIX}{prefix}.{secrets.token_urlsafe(32)}"
        self.token_prefix, self.token_hash = prefix, hash_token(token)
        return token

    def issue_webhook_secret(self) -> str:
        self.webhook_secret = secrets.token_hex(32)
        return self.webhook_secret

    def allows_ip(self, ip: str) -> bool:
        nets = parse_allow_list(self.ip_allow)
        if not nets:
            return True
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr in net for net in nets)


class ApiCall(models.Model):
    """One call to the API (审计): who, which endpoint, which ticket, what came of it."""

    client = models.ForeignKey(PartnerClient, null=True, blank=True, on_delete=models.PROTECT, related_name="calls")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=200)
    ticket_code = models.CharField(max_length=24, blank=True)
    status = models.PositiveSmallIntegerField()
    code = models.CharField(_("error code"), max_length=40, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        indexes = [models.Index(fields=["client", "at"], name="apicall_client_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class RateWindow(models.Model):
    """Calls of one client in one minute: a row bumped per call, shared by every worker process."""

    client = models.ForeignKey(PartnerClient, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "minute"], name="rate_window_client_minute")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.minute:%H:%M} {self.count}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an Idempotency-Key; the constraint is the check."""

    client = models.ForeignKey(PartnerClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key")]

    def __str__(self) -> str:
        return self.key


class Submission(models.Model):
    """A ticket a client submitted: what it may read, and what its webhook reports on."""

    client = models.ForeignKey(PartnerClient, on_delete=models.PROTECT, related_name="submissions")
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    # Where the partner says the problem is (WGS84), when it sent coordinates.
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["client", "ticket"], name="submission_client_ticket")]

    def __str__(self) -> str:
        return f"{self.client} {self.ticket_id}"
