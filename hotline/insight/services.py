"""改: hot issues kept per period, rectification projects and their effect."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.insight.hotspots import HotIssue, Message, find_hot_issues
from hotline.insight.models import Hotspot, Milestone, RectificationProject
from hotline import limits
from hotline.text import clean_text
from hotline.tickets.models import VOID, Ticket

if TYPE_CHECKING:
    from hotline.catalog.models import Matter
    from hotline.orgs.models import Region, Unit
    from hotline.orgs.permissions import Actor

MAX_PERIOD = dt.timedelta(days=400)


def parse_period(value: str | None, *, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """'30' → the last 30 days up to ``now``; '2026-10-01..2026-11-01' → those local days
    (end exclusive). Anything else, or a period longer than 400 days, is a ValueError."""
    value = (value or "").strip()
    if value.isdigit():
        days = int(value)
        if not 1 <= days <= MAX_PERIOD.days:
            raise ValueError(_("The period must be between 1 and 400 days."))
        return now - dt.timedelta(days=days), now
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", value)
    if not m:
        raise ValueError(_("Give the period as a number of days or as YYYY-MM-DD..YYYY-MM-DD."))
    tz = timezone.get_current_timezone()
    start, end = (dt.datetime.combine(dt.date.fromisoformat(d), dt.time(), tzinfo=tz) for d in m.groups())
    if not start < end or end - start > MAX_PERIOD:
        raise ValueError(_("The period must be between 1 and 400 days."))
    return start, end


MESSAGE_FIELDS = (
    "pk",
    "title",
    "content",
    "address",
    "received_at",
    "requester_phone",
    "region_id",
    "repeats",
    "matter__name",
)


def ticket_messages(start: dt.datetime, end: dt.datetime) -> list[Message]:
    """The period's requests as messages for clustering: duplicates already merged are left out
    and count as support (repeat calls) of the ticket they were folded into; each township is
    its own block."""
    from hotline.orgs.models import Region

    tickets = (
        Ticket.objects.filter(received_at__gte=start, received_at__lt=end)
        .exclude(status__in=VOID)
        .annotate(repeats=Count("merged_tickets"))
        .values_list(*MESSAGE_FIELDS)
        .order_by("received_at", "pk")
    )
    area_names = dict(Region.objects.filter(level__in=["district", "township"]).values_list("code", "name"))
    messages = []
    for pk, title, content, address, at, phone, region, repeats, matter in tickets.iterator(chunk_size=5000):
        if address:
            # The place is read from the address; the address itself (district, township, door
            # number) says nothing about the matter, so it leaves the text.
            auto_title = content.startswith(title)
            content = content.replace(address, " ")
            title = content.strip()[:30] if auto_title else title.replace(address, " ")
        messages.append(
            Message(
                id=str(pk),
                title=title,
                body=content,
                address=address,
                at=timezone.localtime(at).replace(tzinfo=None),
                requester=phone,
                support=repeats,
                block=str(region or ""),
                matter=matter or "",
                area=area_names.get(region or "", ""),
            )
        )
    return messages


@transaction.atomic
def store_hotspots(issues: Sequence[HotIssue], *, start: dt.datetime, end: dt.datetime) -> list[Hotspot]:
    """Keep ``issues`` (from ``ticket_messages``) as the hot issues of [start, end), replacing an
    earlier run over the same period."""
    Hotspot.objects.filter(period_start=start, period_end=end).delete()
    tz = timezone.get_current_timezone()
    rows = []
    for h in issues:
        spot = Hotspot.objects.create(
            period_start=start,
            period_end=end,
            rank=h.rank,
            title=h.title[:200],
            place=h.place[:100],
            keywords=h.keywords,
            size=h.size,
            requesters=h.requesters,
            support=h.support,
            growth=h.growth,
            heat=h.heat,
            first_at=h.first_at.replace(tzinfo=tz) if h.first_at else None,
            last_at=h.last_at.replace(tzinfo=tz) if h.last_at else None,
            places=[list(p) for p in h.places],
        )
        spot.tickets.set([int(i) for i in h.member_ids])
        rows.append(spot)
    return rows


def catalogue_vocabulary() -> set[str]:
    """The catalogue's matter names and keywords: the words a hot issue's title prefers."""
    from hotline.catalog.models import Matter

    words: set[str] = set()
    for name, keywords in Matter.objects.filter(is_active=True).values_list("name", "keywords"):
        words.add(name)
        words.update(w for w in keywords.split() if len(w) >= 2)
    return words


def refresh_hotspots(*, days: int = 30, now: dt.datetime | None = None, top: int = 20) -> list[Hotspot]:
    """Find and keep the hot issues of the last ``days`` days (the demo and the worker call this)."""
    now = now or timezone.now()
    start = now - dt.timedelta(days=days)
    issues = find_hot_issues(
        ticket_messages(start, now),
        top=top,
        period_end=timezone.localtime(now).replace(tzinfo=None),
        vocabulary=catalogue_vocabulary(),
    )
    return store_hotspots(issues, start=start, end=now)


# --- rectification projects (整改) ------------------------------------------------------------


def create_project(
    *,
    title: str,
    lead_unit: Unit,
    place: str,
    measures: str,
    measures_from: dt.datetime,
    hotspot: Hotspot | None = None,
    region: Region | None = None,
    matters: Sequence[Matter] | None = None,
    milestones: Sequence[tuple[str, dt.date]] = (),
    tickets: Sequence[Ticket] = (),
    actor: Actor | None = None,
) -> RectificationProject:
    """A hot issue taken on as a project. The hot issue's tickets are linked unless ``tickets``
    names others; its matters (``hotspot_matters``) are the project's unless ``matters`` names
    others (M8: the before/after then counts the hot issue's problem at the place, not every
    complaint there). Empty title, place or measures is a ValidationError and writes nothing."""
    title, place, measures = clean_text(title), clean_text(place), clean_text(measures)
    errors = {}
    if not title:
        errors["title"] = _("Give the project a title.")
    if not place:
        errors["place"] = _("Name the place the project is about.")
    if not measures:
        errors["measures"] = _("Describe the measures.")
    longest_milestone = max((what for what, _due in milestones), key=len, default="")
    errors.update(
        limits.too_long(
            title=(title, limits.PROJECT_TITLE),
            place=(place, limits.PROJECT_PLACE),
            measures=(measures, limits.RESULT),
            milestones=(longest_milestone, limits.MILESTONE),
        )
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project = RectificationProject.objects.create(
            title=title,
            hotspot=hotspot,
            lead_unit=lead_unit,
            place=place,
            region=region,
            measures=measures,
            measures_from=measures_from,
            created_by=actor,
        )
        project.matters.set(hotspot_matters(hotspot) if matters is None and hotspot else (matters or ()))
        linked = list(tickets) or (list(hotspot.tickets.all()) if hotspot else [])
        project.tickets.set(linked)
        Milestone.objects.bulk_create(Milestone(project=project, title=t, due=d) for t, d in milestones)
    return project


# A matter is one of a hot issue's when at least this share of its requests are about it.
MATTER_SHARE = 0.2


def hotspot_matters(hotspot: Hotspot, *, share: float = MATTER_SHARE) -> list[Matter]:
    """The matters a hot issue is about: those of at least ``share`` of its requests, most first
    (always the commonest one when its requests have any matter)."""
    from hotline.catalog.models import Matter

    counts = list(
        hotspot.tickets.exclude(matter=None).values_list("matter").annotate(n=Count("id")).order_by("-n", "matter")
    )
    total = sum(n for _m, n in counts)
    keep = [pk for i, (pk, n) in enumerate(counts) if i == 0 or n >= share * total]
    found = Matter.objects.in_bulk(keep)
    return [found[pk] for pk in keep]


def hotspot_matter_choices(hotspot: Hotspot) -> list[tuple[int, str]]:
    """Every matter among a hot issue's requests, with how many: what its project may be about."""
    from hotline.catalog.models import Matter

    counts = dict(hotspot.tickets.exclude(matter=None).values_list("matter").annotate(n=Count("id")).order_by())
    matters = Matter.objects.in_bulk(list(counts))
    ordered = sorted(counts, key=lambda pk: (-counts[pk], pk))
    return [(pk, f"{matters[pk].name}（{counts[pk]}）") for pk in ordered]


def project_effect(project: RectificationProject, *, now: dt.datetime | None = None, days: int = 30) -> dict:
    """Did complaints fall after the measures? Requests at the project's place (named in the
    address, title or text) and, when the project names matters, about those matters: up to
    ``days`` days before ``measures_from`` (never before the first ticket on record) against the
    time since, up to ``days``. ``before_scaled`` is the before count at the after span's length,
    so the two compare even while the after span is still short; before a full day has passed
    there is no comparison (``change_pct`` None)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    now = now or timezone.now()
    start = project.measures_from
    after_end = max(start, min(now, start + dt.timedelta(days=days)))
    first = Ticket.objects.order_by("received_at").values_list("received_at", flat=True).first()
    before_start = start - dt.timedelta(days=days)
    if first is not None and first > before_start:
        before_start = min(first, start)
    place = Q(address__contains=project.place) | Q(title__contains=project.place) | Q(content__contains=project.place)
    qs = Ticket.objects.filter(place).exclude(status__in=VOID)
    matter_ids = list(project.matters.values_list("pk", flat=True))
    if matter_ids:
        qs = qs.filter(matter_id__in=matter_ids)
    before = qs.filter(received_at__gte=before_start, received_at__lt=start).count()
    after = qs.filter(received_at__gte=start, received_at__lt=after_end).count()
    day = dt.timedelta(days=1)
    before_span, after_span = (start - before_start) / day, (after_end - start) / day
    # Less than a day since the measures says nothing yet: no comparison.
    expected = before * after_span / before_span if before_span > 0 and after_span >= 1 else 0.0
    change = None if expected == 0 else round((after - expected) / expected * 100, 1)
    return {
        "days_before": round(before_span, 1),
        "days_after": round(after_span, 1),
        "before": before,
        "after": after,
        "before_scaled": round(expected, 1),
        "change_pct": change,
        "fell": expected > 0 and after < expected,
    }


def complete_milestone(milestone: Milestone, *, at: dt.datetime | None = None) -> None:
    if milestone.done_at is None:
        milestone.done_at = at or timezone.now()
        milestone.save(update_fields=["done_at"])
