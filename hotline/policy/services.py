"""Which policy is in force on a day, and how a new one is entered.

``in_force(day)`` is the one way to read a policy figure: the dated row in force that day, or,
before the first row, the deployment's settings (``HOTLINE_*`` variables). Rows are few and read
on every event (the dispatch deadline), so each process keeps them in a short-lived cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.caching import ProcessCache

from .models import Policy, ZoneMode
from .spans import Span, SpanError, format_spans, parse_spans

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A row's figures, in the order the admin shows them.
FIGURES = (
    "satisfaction_scale",
    "weight_very_satisfied",
    "weight_satisfied",
    "basic_share",
    "weight_dissatisfied",
    "weight_very_dissatisfied",
    "weight_response",
    "weight_resolution",
    "weight_satisfaction",
    "zone_mode",
    "zone_blue",
    "zone_yellow",
    "zone_blue_rank",
    "zone_red_rank",
    "min_revisits",
    "class_policies",
    "ladder",
    "dispatch_due",
    "response_due",
    "extension_max_count",
    "extension_max_days",
    "long_cycle_max_days",
    "progress_every_days",
    "appeal_working_days",
    "reply_review",
)
LEVELS = ("reminder", "notice", "public")
# The reply classes a policy says how to count (resolved ones always count), and how.
CLASSES = ("explained", "unreasonable", "outside_remit", "legal_route")
CLASS_MODES = ("count", "exclude", "solved")
RECIPIENTS = ("unit", "parent", "centre")


@dataclass(frozen=True)
class PolicyValues:
    """The figures of one policy, whichever its source."""

    satisfaction_scale: str
    # Each grade's weight in the satisfaction rate ("basic" is ``basic_share``).
    grade_weights: dict[str, float]
    basic_share: float
    weights: dict[str, float]
    zone_mode: str
    zone_blue: float
    zone_yellow: float
    zone_blue_rank: float
    zone_red_rank: float
    min_revisits: int
    class_policies: dict[str, str]
    ladder: list[dict[str, Any]]
    dispatch_due: dict[str, Span]
    response_due: dict[str, Span]
    extension_max_count: int
    extension_max_days: int
    long_cycle_max_days: int
    progress_every_days: int
    appeal_working_days: int
    reply_review: str
    # Where it comes from: a row (its id and first day) or the settings (both None).
    pk: int | None = None
    effective_from: dt.date | None = None
    note: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """What a report prints to say which policy its figures were computed with."""
        if self.effective_from is None:
            return _("the deployment's settings (no dated policy row yet)")
        return _("the policy in force from %(day)s (no. %(pk)d)") % {
            "day": f"{self.effective_from:%Y-%m-%d}",
            "pk": self.pk,
        }


def from_settings() -> PolicyValues:
    evaluation: Mapping[str, Any] = settings.EVALUATION
    hotline: Mapping[str, Any] = settings.HOTLINE
    return PolicyValues(
        satisfaction_scale=evaluation["SCALE"],
        grade_weights={**evaluation["GRADE_WEIGHTS"], "basic": evaluation["BASIC_SHARE"]},
        basic_share=evaluation["BASIC_SHARE"],
        weights=dict(evaluation["WEIGHTS"]),
        zone_mode=evaluation["ZONE_MODE"],
        zone_blue=evaluation["ZONE_BLUE"],
        zone_yellow=evaluation["ZONE_YELLOW"],
        zone_blue_rank=evaluation["ZONE_BLUE_RANK"],
        zone_red_rank=evaluation["ZONE_RED_RANK"],
        min_revisits=evaluation["MIN_REVISITS"],
        class_policies=dict(evaluation["CLASS_POLICIES"]),
        ladder=[dict(e) for e in settings.SUPERVISION["LEVELS"]],
        dispatch_due=dict(hotline["DISPATCH_DUE"]),
        response_due=dict(hotline["RESPONSE_DUE"]),
        extension_max_count=hotline["EXTENSION_MAX_COUNT"],
        extension_max_days=hotline["EXTENSION_MAX_DAYS"],
        long_cycle_max_days=hotline["LONG_CYCLE_MAX_DAYS"],
        progress_every_days=hotline["PROGRESS_EVERY_DAYS"],
        appeal_working_days=hotline["APPEAL_WORKING_DAYS"],
        reply_review=hotline["REPLY_REVIEW"],
    )


def from_row(row: Policy) -> PolicyValues:
    return PolicyValues(
        satisfaction_scale=row.satisfaction_scale,
        grade_weights={
            "very_satisfied": row.weight_very_satisfied,
            "satisfied": row.weight_satisfied,
            "basic": row.basic_share,
            "dissatisfied": row.weight_dissatisfied,
            "very_dissatisfied": row.weight_very_dissatisfied,
        },
        basic_share=row.basic_share,
        weights={
            "response": row.weight_response,
            "resolution": row.weight_resolution,
            "satisfaction": row.weight_satisfaction,
        },
        zone_mode=row.zone_mode,
        zone_blue=row.zone_blue,
        zone_yellow=row.zone_yellow,
        zone_blue_rank=row.zone_blue_rank,
        zone_red_rank=row.zone_red_rank,
        min_revisits=row.min_revisits,
        class_policies=dict(row.class_policies),
        ladder=[dict(e) for e in row.ladder],
        dispatch_due=parse_spans(row.dispatch_due),
        response_due=parse_spans(row.response_due),
        extension_max_count=row.extension_max_count,
        extension_max_days=row.extension_max_days,
        long_cycle_max_days=row.long_cycle_max_days,
        progress_every_days=row.progress_every_days,
        appeal_working_days=row.appeal_working_days,
        reply_review=row.reply_review,
        pk=row.pk,
        effective_from=row.effective_from,
        note=row.note,
    )


def _load() -> list[PolicyValues]:
    return [from_row(row) for row in Policy.objects.order_by("effective_from")]


_rows: ProcessCache[list[PolicyValues]] = ProcessCache(_load, max_age=30.0)


def clear_cache() -> None:
    _rows.clear()


def _changed(**kwargs: Any) -> None:
    _rows.clear_now_and_on_commit()


post_save.connect(_changed, sender=Policy, dispatch_uid="policy_changed")
post_delete.connect(_changed, sender=Policy, dispatch_uid="policy_deleted")


def in_force(day: dt.date | None = None) -> PolicyValues:
    """The policy in force on ``day`` (default: today on the centre's clock)."""
    day = day or timezone.localdate()
    current = None
    for values in _rows.get():
        if values.effective_from is not None and values.effective_from <= day:
            current = values
    return current if current is not None else from_settings()


def in_force_at(moment: dt.datetime) -> PolicyValues:
    return in_force(timezone.localdate(moment))


def for_period(end: dt.datetime, now: dt.datetime | None = None) -> PolicyValues:
    """The policy a period's figures are computed with: the one in force on its last day (or today,
    while it runs). ``end`` is exclusive."""
    now = now or timezone.now()
    last = min(end, now) - dt.timedelta(microseconds=1)
    return in_force(timezone.localdate(last))


def check(values: dict[str, Any]) -> None:
    """Refuse figures that would make the rates or the ladder meaningless, naming the field."""
    errors: dict[str, str] = {}
    if not 0 <= values["basic_share"] <= 1:
        errors["basic_share"] = _("A share is between 0 and 1.")
    for name in ("weight_very_satisfied", "weight_satisfied", "weight_dissatisfied", "weight_very_dissatisfied"):
        if not 0 <= values[name] <= 1:
            errors[name] = _("A share is between 0 and 1.")
    order = [
        "weight_very_satisfied",
        "weight_satisfied",
        "basic_share",
        "weight_dissatisfied",
        "weight_very_dissatisfied",
    ]
    if any(values[a] < values[b] for a, b in zip(order, order[1:])):
        errors["weight_satisfied"] = _("A better grade never counts less than a worse one.")
    if values["reply_review"] not in ("none", "all", "risk"):
        errors["reply_review"] = _("Review none, all or the risky replies.")
    if values["satisfaction_scale"] not in ("three", "five"):
        errors["satisfaction_scale"] = _("The scale has three or five grades.")
    weights = [values["weight_response"], values["weight_resolution"], values["weight_satisfaction"]]
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        errors["weight_response"] = _("Weights are not negative and not all zero.")
    if values["zone_mode"] not in ZoneMode.values:
        errors["zone_mode"] = _("Choose how zones are drawn.")
    if values["zone_yellow"] > values["zone_blue"]:
        errors["zone_yellow"] = _("Yellow cannot start above blue.")
    for name in ("zone_blue_rank", "zone_red_rank"):
        if not 0 <= values[name] <= 1:
            errors[name] = _("A share is between 0 and 1.")
    if values["zone_blue_rank"] + values["zone_red_rank"] > 1:
        errors["zone_red_rank"] = _("Blue and red shares together cannot exceed all units.")
    if not 1 <= values["extension_max_days"] <= 30:
        errors["extension_max_days"] = _("An extension is between 1 and 30 working days.")
    if not 1 <= values["long_cycle_max_days"] <= 366:
        errors["long_cycle_max_days"] = _("A long-running matter is resolved within a year at most.")
    if not 1 <= values["progress_every_days"] <= 60:
        errors["progress_every_days"] = _("Progress updates are due every 1 to 60 working days.")
    classes = values["class_policies"]
    if (
        not isinstance(classes, dict)
        or set(classes) - set(CLASSES)
        or any(mode not in CLASS_MODES for mode in classes.values())
    ):
        errors["class_policies"] = _(
            "Give each class (explained, unreasonable, outside_remit, legal_route) count, exclude or solved."
        )
    ladder_error = _check_ladder(values["ladder"])
    if ladder_error:
        errors["ladder"] = ladder_error
    for name in ("dispatch_due", "response_due"):
        try:
            parse_spans(values[name])
        except SpanError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)


def _check_ladder(ladder: Any) -> str:
    if not isinstance(ladder, list) or not ladder:
        return _("The ladder is a list of at least one level.")
    for entry in ladder:
        if not isinstance(entry, dict) or set(entry) != {"level", "offset_days", "to"}:
            return _("Each level has exactly: level, offset_days, to.")
        if entry["level"] not in LEVELS:
            return _("Unknown level %(level)r.") % {"level": entry["level"]}
        if not isinstance(entry["offset_days"], int) or isinstance(entry["offset_days"], bool):
            return _("offset_days is a whole number of working days.")
        if not isinstance(entry["to"], list) or not entry["to"] or set(entry["to"]) - set(RECIPIENTS):
            return _("Recipients are among unit, parent and centre.")
    if len({e["level"] for e in ladder}) != len(ladder):
        return _("Each level appears once.")
    return ""


def check_date(effective_from: dt.date, *, today: dt.date | None = None) -> None:
    """A new policy starts today or later: one starting earlier would rewrite figures already
    published."""
    today = today or timezone.localdate()
    if effective_from < today:
        raise ValidationError(
            {"effective_from": _("A policy starts today or later; figures already published keep their policy.")}
        )


def in_force_already(row: Policy, *, today: dt.date | None = None) -> bool:
    """A stored row whose first day has come: it is never edited or deleted again."""
    today = today or timezone.localdate()
    return row.pk is not None and Policy.objects.filter(pk=row.pk, effective_from__lte=today).exists()


def values_of_settings_as_fields() -> dict[str, Any]:
    """The settings as a row's fields: the starting point of the first row a centre enters."""
    v = from_settings()
    return {
        "satisfaction_scale": v.satisfaction_scale,
        "weight_very_satisfied": v.grade_weights["very_satisfied"],
        "weight_satisfied": v.grade_weights["satisfied"],
        "weight_dissatisfied": v.grade_weights["dissatisfied"],
        "weight_very_dissatisfied": v.grade_weights["very_dissatisfied"],
        "basic_share": v.basic_share,
        "weight_response": v.weights["response"],
        "weight_resolution": v.weights["resolution"],
        "weight_satisfaction": v.weights["satisfaction"],
        "zone_mode": v.zone_mode,
        "zone_blue": v.zone_blue,
        "zone_yellow": v.zone_yellow,
        "zone_blue_rank": v.zone_blue_rank,
        "zone_red_rank": v.zone_red_rank,
        "min_revisits": v.min_revisits,
        "class_policies": v.class_policies,
        "ladder": v.ladder,
        "dispatch_due": format_spans(v.dispatch_due),
        "response_due": format_spans(v.response_due),
        "extension_max_count": v.extension_max_count,
        "extension_max_days": v.extension_max_days,
        "long_cycle_max_days": v.long_cycle_max_days,
        "progress_every_days": v.progress_every_days,
        "appeal_working_days": v.appeal_working_days,
        "reply_review": v.reply_review,
    }


def add_policy(*, effective_from: dt.date, note: str, actor: User | None = None, **fields: Any) -> Policy:
    """Enter a new policy from ``effective_from`` (today or later). Figures not given are taken
    from the policy in force on that day. Refused (``ValidationError``, nothing written): a day
    in the past, a day that has a policy already, no note, figures that do not make sense."""
    check_date(effective_from)
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the policy changes.")})
    base = values_of_settings_as_fields()
    current = in_force(effective_from)
    if current.pk is not None:
        base = {k: getattr(Policy.objects.get(pk=current.pk), k) for k in base}
    unknown = set(fields) - set(base)
    if unknown:
        raise ValidationError(
            {"__all__": _("Unknown policy figures: %(names)s") % {"names": ", ".join(sorted(unknown))}}
        )
    values = {**base, **fields}
    check(values)
    with transaction.atomic():
        if Policy.objects.filter(effective_from=effective_from).exists():
            raise ValidationError({"effective_from": _("A policy already starts on that day: edit it instead.")})
        return Policy.objects.create(effective_from=effective_from, note=note.strip(), created_by=actor, **values)
