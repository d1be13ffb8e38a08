"""The report archive (报表存档): one file per kind, period and format, regenerated in place."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .periods import Kind, Period


class Report(models.Model):
    class Format(models.TextChoices):
        DOCX = "docx", _("Word")
        XLSX = "xlsx", _("Excel")
        TXT = "txt", _("text")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    # Under MEDIA_ROOT (HOTLINE_VAR_DIR/media): reports/<kind>/<year>/<kind>-<first day>.<format>.
    file = models.FileField(_("file"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    generated_at = models.DateTimeField(_("generated at"))

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "kind", "format"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start", "format"], name="report_kind_period_format_unique")
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def period(self) -> Period:
        return Period(self.kind, self.period_start, self.period_end)

    @property
    def filename(self) -> str:
        return f"{self.period.slug()}.{self.format}"
