"""Intake channels (受理渠道): the 12345 phone line, the merged hotlines, 110, the app, the web…"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", _("phone")
        MERGED_HOTLINE = "merged_hotline", _("merged hotline")
        POLICE = "police", _("110 transfer")
        APP = "app", _("city app")
        WEB = "web", _("web")
        MAIL = "mail", _("mailbox")
        MEDIA = "media", _("media")
        HISTORY = "history", _("imported history")  # past requests, ``hotline history import``

    code = models.SlugField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class DailyCounter(models.Model):
    """The last ticket number handed out on a day; one row per day, bumped under a row lock."""

    day = models.DateField(primary_key=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.value}"
