"""The dispatch catalogue (派单目录): a tree of matters, each leaf saying who owns it and how fast."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Function


class TimeTier(models.IntegerChoices):
    """Default resolution time, in working days; 0 is same-day (within 24 hours)."""

    SAME_DAY = 0, _("same day (24 hours)")
    ONE = 1, _("1 working day")
    THREE = 3, _("3 working days")
    SEVEN = 7, _("7 working days")
    ELEVEN = 11, _("11 working days")


class OwnerLevel(models.TextChoices):
    """The level of government (or body) that owns a matter."""

    CITY_DEPT = "city_dept", _("city department")
    DISTRICT_DEPT = "district_dept", _("district or county department")
    TOWNSHIP = "township", _("township or street office")
    ENTERPRISE = "enterprise", _("enterprise")


class Matter(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    # The full path, "住房和物业 / 物业服务 / 物业收费", kept for search and display.
    path = models.CharField(_("path"), max_length=255, blank=True)
    is_leaf = models.BooleanField(_("leaf"), default=True)
    tier = models.PositiveSmallIntegerField(_("time tier"), choices=TimeTier.choices, null=True, blank=True)
    owner_level = models.CharField(_("owner level"), max_length=16, choices=OwnerLevel.choices, blank=True)
    function = models.ForeignKey(
        Function,
        verbose_name=_("function"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matters",
    )
    keywords = models.TextField(_("keywords"), blank=True, help_text=_("Separated by spaces."))
    examples = models.TextField(_("examples"), blank=True, help_text=_("One example request per line."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.path or self.name

    def keyword_list(self) -> list[str]:
        return self.keywords.split()

    def example_list(self) -> list[str]:
        return [e.strip() for e in self.examples.splitlines() if e.strip()]
