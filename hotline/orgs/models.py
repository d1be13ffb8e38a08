"""Regions (行政区划), units (承办单位), the functions units carry, and staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """One administrative division: the city, a district/county, a township/street, a community."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        DISTRICT = "district", _("district or county")
        TOWNSHIP = "township", _("township or street")
        COMMUNITY = "community", _("community or village")

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Everyday and former names (湟中县 for 湟中区, 东关街道 for 东关大街街道), one per line.
    aliases = models.TextField(_("aliases"), blank=True)
    source = models.CharField(_("source"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return self.name

    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.splitlines() if a.strip()]

    def ancestors(self) -> list[Region]:
        """This region and every region above it, nearest first."""
        chain: list[Region] = []
        node: Region | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    @property
    def district(self) -> Region | None:
        return next((r for r in self.ancestors() if r.level == Region.Level.DISTRICT), None)


class Function(models.Model):
    """A kind of work a unit carries (职能): housing, market supervision, water supply…"""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        verbose_name = _("function")
        verbose_name_plural = _("functions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A body the centre dispatches to (承办单位), or the centre itself."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("hotline centre")
        CITY_DEPT = "city_dept", _("city department")
        DISTRICT_DEPT = "district_dept", _("district or county department")
        TOWNSHIP = "township", _("township or street office")
        COMMUNITY = "community", _("community")
        ENTERPRISE = "enterprise", _("enterprise")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    functions: models.ManyToManyField[Function, UnitFunction] = models.ManyToManyField(
        Function,
        verbose_name=_("functions"),
        blank=True,
        related_name="units",
        through="UnitFunction",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # A handler's reply waits for the unit's manager (负责人) before it goes to the centre.
    reply_review = models.BooleanField(_("manager reviews replies"), default=False)
    # Where reminders and notices reach the unit (issue 16): a duty mobile for SMS, an e-mail
    # address; the platform inbox always exists. A unit with neither is listed when a pack loads.
    mobile = models.CharField(_("duty mobile"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.short_name or self.name


class UnitAlias(models.Model):
    """A unit's name as some record writes it (a history file's 市住建局 for 商洛市住房和城乡建设局).

    Written by ``hotline history import`` for every name that is not the unit's own: a name found
    by normalising is kept confirmed; a fuzzy match is only a proposal (``confirmed`` False) until
    an administrator confirms it in the admin; a name that matched nothing is kept without a unit,
    so that it is listed there until someone names its unit. Only confirmed aliases with a unit
    count when names are matched (``orgs.unitnames.match``)."""

    class How(models.TextChoices):
        NORMALISED = "normalised", _("same name once normalised")
        FUZZY = "fuzzy", _("similar name (proposal)")
        NONE = "none", _("no unit found")
        MANUAL = "manual", _("set by an administrator")

    name = models.CharField(_("name as written"), max_length=100, unique=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="aliases"
    )
    how = models.CharField(_("found by"), max_length=12, choices=How.choices, default=How.MANUAL)
    score = models.FloatField(_("similarity"), null=True, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    rows = models.PositiveIntegerField(_("rows naming it"), default=0)
    source = models.CharField(_("found in"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")
        ordering = ["confirmed", "-rows", "name"]

    def __str__(self) -> str:
        return self.name


class UnitFunction(models.Model):
    """A function a unit carries. Where several units of one kind and place carry a function, the
    one that leads on it (牵头) is where the router sends a ticket; the others assist."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE)
    function = models.ForeignKey(Function, verbose_name=_("function"), on_delete=models.CASCADE)
    lead = models.BooleanField(_("leads on it"), default=True)

    class Meta:
        verbose_name = _("unit function")
        verbose_name_plural = _("unit functions")
        constraints = [models.UniqueConstraint(fields=["unit", "function"], name="unit_function_unique")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.function}"


class Staff(models.Model):
    """A person's place at the centre: their role and, for unit staff, their unit."""

    class Role(models.TextChoices):
        OPERATOR = "operator", _("operator")
        DISPATCHER = "dispatcher", _("dispatcher")
        HANDLER = "handler", _("unit handler")
        UNIT_MANAGER = "unit_manager", _("unit manager")
        # Staff of a district's or county's office who oversee every ticket in its townships.
        DISTRICT = "district", _("district overseer")
        SUPERVISOR = "supervisor", _("supervisor")
        LEADER = "leader", _("leader")
        # 安全审计员: reads the audit trail, nothing else.
        AUDITOR = "auditor", _("auditor")
        ADMIN = "admin", _("administrator")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff")

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"
