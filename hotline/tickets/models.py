"""The Ticket aggregate: one row per request, an append-only event log, and its overlays.

``Ticket.status`` is written only by ``hotline.tickets.transitions``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hotline import limits

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Status(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ANSWERED = "answered", _("answered directly")
    DISPATCHED = "dispatched", _("dispatched")
    RETURNED = "returned", _("returned")
    IN_PROGRESS = "in_progress", _("in progress")
    REPLIED = "replied", _("replied")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")
    MERGED = "merged", _("merged")
    INVALID = "invalid", _("invalid")


# The status groups. Every list of statuses in the platform is one of these; none is written twice.
# In a unit's hands: its sign-off, contact and resolution clocks run.
HANDLING = (Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED)
# Waiting for the unit to sign for it (签收): just dispatched, or reopened for a redo.
AWAITING_SIGN = (Status.DISPATCHED, Status.REOPENED)
# Waiting for the centre to dispatch (新登记) or to decide a return (退单).
AWAITING_DISPATCH = (Status.REGISTERED, Status.RETURNED)
# Out with a unit or back from one: the supervision pool's tickets.
IN_POOL = (*HANDLING, Status.RETURNED)
# The unit replied: the revisit clock runs, or ran.
REPLIED_OR_CLOSED = (Status.REPLIED, Status.CLOSED)
# Any deadline of a unit's or the revisit's still running.
RUNNING = (*HANDLING, Status.REPLIED)
# Any deadline still running, the centre's dispatch and first response included (the deadline scan).
CLOCKED = (Status.REGISTERED, *RUNNING)
# Not finished yet: a new call about it is a repeat of an open request.
UNFINISHED = (*AWAITING_DISPATCH, *HANDLING, Status.REPLIED)
# Folded into another ticket or thrown out: never a request of its own in any count.
VOID = (Status.MERGED, Status.INVALID)
# Never handled by a unit, so no deadline of theirs can be missed.
NOT_HANDLED = (Status.ANSWERED, *VOID, Status.REGISTERED)


# Imported history (``hotline history import``): past requests of the centre, brought in closed
# on a channel of their own. The one definition of "imported": they count in repeat detection,
# hot issues and the unit router's learning like any ticket, and in none of the current period's
# figures (reports, dashboard, rates, dispatch rate), which exclude ``IMPORTED``. A channel rather
# than a flag: the reports' covering index already holds the channel, so excluding it stays cheap.
HISTORY_CHANNEL = "history"
IMPORTED = models.Q(channel_id=HISTORY_CHANNEL)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")
    EMERGENCY = "emergency", _("emergency")


class Kind(models.TextChoices):
    """What the citizen wants (诉求类型)."""

    CONSULTATION = "consultation", _("consultation")
    HELP = "help", _("request for help")
    COMPLAINT = "complaint", _("complaint")
    REPORT = "report", _("tip-off")
    SUGGESTION = "suggestion", _("suggestion")
    PRAISE = "praise", _("praise")


class ReplyClass(models.TextChoices):
    """What the unit's reply is (答复分类): the unit says, the centre confirms or overturns."""

    RESOLVED = "resolved", _("resolved")
    EXPLAINED = "explained", _("explained according to law and policy")
    UNREASONABLE = "unreasonable", _("unreasonable demand")
    OUTSIDE_REMIT = "outside_remit", _("outside the government's remit")
    LEGAL_ROUTE = "legal_route", _("referred to the legal route (litigation, arbitration, petition)")


class ClassDecision(models.TextChoices):
    PENDING = "", _("not decided yet")
    CONFIRMED = "confirmed", pgettext_lazy("class decision", "confirmed")
    OVERTURNED = "overturned", _("overturned")


# Classes a "final answer" (终局答复) may close: answered according to law, nothing more to do.
FINAL_ANSWER_CLASSES = (ReplyClass.EXPLAINED, ReplyClass.UNREASONABLE, ReplyClass.LEGAL_ROUTE)


class DeadlineState(models.TextChoices):
    NONE = "", _("not running")
    ON_TIME = "on_time", _("on time")
    WARNING = "warning", _("warning")
    OVERDUE = "overdue", _("overdue")
    MET = "met", _("met")
    MET_LATE = "met_late", _("met late")


def _due(label: StrOrPromise) -> models.DateTimeField[dt.datetime | None, dt.datetime | None]:
    return models.DateTimeField(label, null=True, blank=True)


def _state(label: StrOrPromise) -> models.CharField[str, str]:
    return models.CharField(label, max_length=10, choices=DeadlineState.choices, blank=True, default="")


class Ticket(models.Model):
    code = models.CharField(_("code"), max_length=24, unique=True)
    channel = models.ForeignKey("intake.Channel", verbose_name=_("channel"), on_delete=models.PROTECT)
    external_id = models.CharField(_("external id"), max_length=limits.EXTERNAL_ID, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HELP)
    title = models.CharField(_("title"), max_length=limits.TITLE)
    # Capped by intake (limits.CONTENT); a TextField's max_length would not bind the database.
    content = models.TextField(_("content"))
    address = models.CharField(_("address"), max_length=limits.ADDRESS, blank=True)
    region = models.ForeignKey(
        "orgs.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    matter = models.ForeignKey(
        "catalog.Matter",
        verbose_name=_("matter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    tier = models.PositiveSmallIntegerField(_("time tier"), null=True, blank=True)

    requester_name = models.CharField(_("requester name"), max_length=limits.REQUESTER_NAME, blank=True)
    requester_phone = models.CharField(_("requester phone"), max_length=20, blank=True, db_index=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    # 涉企诉求: a company's request, with its name and 统一社会信用代码 (checked at intake).
    company_name = models.CharField(_("company name"), max_length=100, blank=True)
    company_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    confidential = models.BooleanField(_("confidential"), default=False)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED, editable=False
    )
    # Bumped by every transition; the compare-and-set guard and the event sequence number.
    version = models.PositiveIntegerField(default=0, editable=False)
    lead_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tickets",
    )
    dispatch_count = models.PositiveSmallIntegerField(_("dispatches"), default=0)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    redo_count = models.PositiveSmallIntegerField(_("redo count"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    # An extension request waits for the centre's decision (an overlay, not a status).
    extension_pending = models.BooleanField(_("extension pending"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_tickets",
    )
    result = models.TextField(_("result"), blank=True)  # capped by its writers (limits.RESULT)
    # 答复分类: the unit's class of its reply and its evidence; the centre's decision and the class
    # in force after it (empty until decided: the rates read only a decided class); a final answer.
    reply_class = models.CharField(_("reply class"), max_length=16, choices=ReplyClass.choices, blank=True)
    reply_evidence = models.TextField(_("evidence for the class"), blank=True)
    class_decision = models.CharField(
        _("centre's decision on the class"), max_length=10, choices=ClassDecision.choices, blank=True
    )
    decided_class = models.CharField(_("class decided"), max_length=16, choices=ReplyClass.choices, blank=True)
    final_answer = models.BooleanField(_("final answer"), default=False)
    # 答复审核: the reply waits for a reviewer at the centre before the revisit (an overlay).
    review_pending = models.BooleanField(_("reply waiting for review"), default=False, db_index=True)

    received_at = models.DateTimeField(_("received at"), db_index=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)

    # The centre's clocks from receipt (派单时限, and 首次响应时限 for online channels): done at the
    # first dispatch, and when the ticket first leaves "registered" (answered, dispatched, merged,
    # invalid).
    first_dispatched_at = models.DateTimeField(_("first dispatched at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    dispatch_due = _due(_("dispatch due"))
    dispatch_state = _state(_("dispatch state"))
    respond_due = _due(_("first response due"))
    respond_state = _state(_("first response state"))
    # 长周期: a long-running matter's resolution deadline granted by the centre (replacing the
    # tier's), and its progress ledger: an update due every ``progress_every`` working days after
    # the last (``progress_at``; the grant counts as the first).
    long_cycle_until = models.DateTimeField(_("long-running matter: resolve by"), null=True, blank=True)
    progress_every = models.PositiveSmallIntegerField(_("progress update every (working days)"), default=0)
    progress_at = models.DateTimeField(_("last progress update"), null=True, blank=True)
    progress_due = _due(_("progress update due"))
    progress_state = _state(_("progress update state"))
    # When the unit's clock started: the last dispatch, or the reopening after a failed revisit.
    clock_started_at = models.DateTimeField(_("clock started at"), null=True, blank=True)
    sign_due = _due(_("sign-off due"))
    sign_state = _state(_("sign-off state"))
    contact_due = _due(_("contact due"))
    contact_state = _state(_("contact state"))
    return_due = _due(_("return window ends"))
    resolve_due = _due(_("resolution due"))
    resolve_state = _state(_("resolution state"))
    revisit_due = _due(_("revisit due"))
    revisit_state = _state(_("revisit state"))
    # True when a deadline fell in a year the holiday table does not cover (weekends only).
    deadlines_provisional = models.BooleanField(_("deadlines provisional"), default=False, db_index=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="ticket_channel_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["resolve_state", "status"]),
            # Repeat detection and surge scans read one township's recent tickets (insight).
            models.Index(fields=["region", "received_at"], name="ticket_region_received"),
            models.Index(fields=["matter", "region", "received_at"], name="ticket_matter_region_received"),
            # The reports and the dashboard group a period's tickets by channel, place, unit,
            # status and matter: covering them, each grouping reads the index alone instead of a
            # table row per ticket (the month's report view: 68 ms to 3 ms a grouping on SQLite).
            models.Index(
                fields=["received_at", "channel", "region", "lead_unit", "status", "matter"],
                name="ticket_received_cover",
            ),
            # Deadlines missed in a period (reports): a range of resolution deadlines.
            models.Index(fields=["resolve_due", "status", "replied_at"], name="ticket_resolve_due"),
        ]

    def __str__(self) -> str:
        return self.code


class Assignment(models.Model):
    """One unit's part in a ticket: the lead unit (主办) or a co-unit (协办), with its own reply."""

    class Role(models.TextChoices):
        LEAD = "lead", _("lead unit")
        CO = "co", _("co-unit")

    class State(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("assignment state", "active")
        RETURNED = "returned", _("returned")
        REPLIED = "replied", _("replied")
        WITHDRAWN = "withdrawn", _("withdrawn")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    task = models.TextField(_("task"), blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    # The person in the unit the manager (负责人) gave the task to; empty until one is chosen.
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"


class Extension(models.Model):
    """An extension request (延期申请): asked by the lead unit, decided by the centre."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("extension state", "pending")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", pgettext_lazy("extension state", "refused")
        WITHDRAWN = "withdrawn", _("withdrawn")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(_("requested at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.days} ({self.get_state_display()})"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is the content's hash: no user-chosen path ever reaches the disk.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    """A photo or document a unit attached to its work on a ticket (办理结果附件), or a photo the
    citizen sent with the request."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    # None: the citizen's own photo, sent with the request from the portal.
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}.get(
            self.content_type, ".bin"
        )

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("ticket events are append-only")

    def delete(self) -> NoReturn:
        raise TypeError("ticket events are append-only")


class TicketEvent(models.Model):
    """One change to a ticket, written in the same transaction as the change and never edited."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("sequence"))
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("from status"), max_length=12, blank=True)
    to_status = models.CharField(_("to status"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["ticket", "seq"]
        constraints = [models.UniqueConstraint(fields=["ticket", "seq"], name="ticket_event_seq_unique")]
        # Returns, re-dispatches, reopenings and escalations in a period (reports): without it a
        # month's count read every event of the month (0.5 s each on SQLite), with it a few rows.
        indexes = [models.Index(fields=["action", "created_at"], name="event_action_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("ticket events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("ticket events are append-only")

    @property
    def action_label(self) -> str:
        from .transitions import MOVES

        move = MOVES.get(self.action)
        return str(move.label) if move else self.action

    @property
    def from_label(self) -> StrOrPromise:
        return Status(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> StrOrPromise:
        return Status(self.to_status).label


class PersonalDataAccess(models.Model):
    """Who saw a requester's name and phone, on which ticket, when: every such view is logged."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=32)
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self) -> str:
        return f"{self.viewer_id} {self.ticket_id} {self.viewed_at:%Y-%m-%d %H:%M}"
