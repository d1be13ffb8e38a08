"""宣: what the centre publishes — typical cases — and the portal's own bookkeeping."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline import limits


class TypicalCase(models.Model):
    """典型案例: a request and how it was solved, curated and anonymised by the centre."""

    title = models.CharField(_("title"), max_length=limits.TITLE)
    summary = models.TextField(_("what the citizen asked"))
    outcome = models.TextField(_("how it was solved"))
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name=_("matter"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    district = models.ForeignKey(
        "orgs.Region",
        verbose_name=_("district or county"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def lead(self) -> str:
        """The start of the summary in whole sentences, for lists (m13)."""
        from hotline.text import summarise

        return summarise(self.summary, 120)

    def clean(self) -> None:
        # TextField caps bind no column; checked here, the centre's editor and the admin refuse
        # longer text, and ``services.publish_case`` checks again for every other caller.
        limits.check_lengths(summary=(self.summary, limits.CASE_TEXT), outcome=(self.outcome, limits.CASE_TEXT))


class Attempt(models.Model):
    """One public action (a submission, a tracking look-up, a rating) counted for throttling.

    Counted in the database so that the limit holds across every web process without a shared
    cache; old rows are pruned as new ones arrive."""

    scope = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)
    ok = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} {self.at:%Y-%m-%d %H:%M}"


class Claim(models.Model):
    """A key that exists once: the row a throttle locks while it counts and adds an attempt, so
    parallel requests are counted one after another (H2, H3); or a spent challenge, so one answer
    to the portal's check makes one request."""

    scope = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="publicity_claim_once")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class FiguresSnapshot(models.Model):
    """The public figures as the worker last computed them: the portal reads one row instead of
    counting a year of tickets on a visitor's request."""

    computed_at = models.DateTimeField(db_index=True)
    data = models.JSONField()

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M}"
