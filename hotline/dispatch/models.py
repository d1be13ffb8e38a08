"""What dispatch learns and remembers: classifier versions, the gazetteer, the suggestions made,
the dispatchers' corrections, and consultations (会商研判) on complex tickets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClassifierModel(models.Model):
    """One trained version of the text → matter classifier; the file lives under HOTLINE_VAR_DIR."""

    class Source(models.TextChoices):
        CSV = "csv", _("labelled file")
        TICKETS = "tickets", _("closed tickets and corrections")
        CATALOGUE = "catalogue", _("catalogue examples")

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    path = models.CharField(_("file"), max_length=255)
    n_train = models.PositiveIntegerField(_("training rows"), default=0)
    n_labels = models.PositiveIntegerField(_("labels"), default=0)
    threshold = models.FloatField(_("97% precision threshold"), default=1.0)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    size_bytes = models.PositiveIntegerField(_("size in bytes"), default=0)
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        verbose_name = _("classifier version")
        verbose_name_plural = _("classifier versions")
        ordering = ["-id"]
        constraints = [
            # At most one active version: the swap is one UPDATE in one transaction.
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True), name="one_active_model")
        ]

    def __str__(self) -> str:
        return f"v{self.pk} ({self.get_source_display()})"


class GazetteerEntry(models.Model):
    """A road, estate or landmark and the township it lies in (地名库), kept by the centre or
    learnt from dispatch history."""

    class Kind(models.TextChoices):
        ROAD = "road", _("road or street")
        ESTATE = "estate", _("residential estate")
        LANDMARK = "landmark", _("landmark")
        VILLAGE = "village", _("village or community")

    class Source(models.TextChoices):
        CENTRE = "centre", _("kept by the centre")
        HISTORY = "history", _("learnt from dispatch history")

    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ROAD)
    region = models.ForeignKey(
        "orgs.Region", verbose_name=_("township"), on_delete=models.CASCADE, related_name="gazetteer"
    )
    aliases = models.CharField(_("aliases"), max_length=255, blank=True, help_text=_("Separated by |."))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.CENTRE)
    hits = models.PositiveIntegerField(_("tickets seen"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("gazetteer entry")
        verbose_name_plural = _("gazetteer")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "region"], name="gazetteer_name_region")]

    def __str__(self) -> str:
        return f"{self.name} → {self.region}"

    def names(self) -> list[str]:
        return [self.name, *(a.strip() for a in self.aliases.split("|") if a.strip())]


class DispatchSuggestion(models.Model):
    """What the machine proposed for a ticket, kept so the dispatcher's choice can be compared,
    and, when it did not dispatch alone, why (m18): the ticket page reads the reason from here."""

    class Held(models.TextChoices):
        NONE = "", _("dispatched automatically")
        BELOW_THRESHOLD = "below_threshold", _("the matter's confidence is below the auto-dispatch threshold")
        NO_PLACE = "no_place", _("the place is not known or not sure enough for this matter")
        NO_UNIT = "no_unit", _("no unit carries the matter at this place")
        NO_MATTER = "no_matter", _("the classifier found no matter of the catalogue")
        OPERATOR_MATTER = "operator_matter", _("the operator chose another matter than the classifier")
        CHANNEL = "channel", _("requests from this channel are checked by a dispatcher first")
        NO_MODEL = "no_model", _("no classifier was active")

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="suggestion"
    )
    model = models.ForeignKey(
        ClassifierModel, verbose_name=_("model"), null=True, blank=True, on_delete=models.SET_NULL
    )
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name=_("matter"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = models.ForeignKey(
        "orgs.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence = models.FloatField(_("confidence"), default=0.0)
    auto = models.BooleanField(_("dispatched automatically"), default=False)
    # Why it was left for a dispatcher, decided when the suggestion was made; and the threshold then.
    held = models.CharField(_("left for a dispatcher because"), max_length=16, choices=Held.choices, blank=True)
    threshold = models.FloatField(_("auto-dispatch threshold"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dispatch suggestion")
        verbose_name_plural = _("dispatch suggestions")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.matter_id} → {self.unit_id} ({self.confidence:.2f})"


class DispatchCorrection(models.Model):
    """A dispatcher chose otherwise than the machine suggested. Each row is training data."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="corrections"
    )
    text = models.TextField(_("request text"))
    suggested_matter = models.ForeignKey(
        "catalog.Matter", verbose_name=_("suggested matter"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("suggested unit"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_matter = models.ForeignKey(
        "catalog.Matter", verbose_name=_("chosen matter"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("chosen unit"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    model = models.ForeignKey(
        ClassifierModel, verbose_name=_("model"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dispatcher"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("dispatch correction")
        verbose_name_plural = _("dispatch corrections")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.suggested_unit_id} → {self.chosen_unit_id}"


class Consultation(models.Model):
    """会商研判: the centre and the units concerned agree who leads a complex ticket and who helps."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="consultations"
    )
    topic = models.TextField(_("question put"))
    conclusion = models.TextField(_("conclusion"), blank=True)
    lead_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.topic[:40]


class ConsultationTask(models.Model):
    """One unit's share of a consulted ticket: its own task and its own reply."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="tasks"
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    lead = models.BooleanField(_("lead"), default=False)
    task = models.TextField(_("task"))
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation task")
        verbose_name_plural = _("consultation tasks")
        constraints = [models.UniqueConstraint(fields=["consultation", "unit"], name="one_task_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.task[:40]}"
