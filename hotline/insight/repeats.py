"""Repeat detection at intake (重复诉求): is this call about something we already have?

``likely_repeats`` is called by the operator console while a request is being typed. It reads
at most three small, indexed slices of the last 90 days, then scores each candidate in Python:

* the same caller (``Ticket.requester_phone``, indexed);
* the same township and the same matter (index ``ticket_region_received``);
* the same place in that township: an estate, road or village named in both addresses or texts.

Score (0–1) = 0.30 × same caller + 0.20 × same place + 0.15 × same matter + 0.05 × same township
+ 0.30 × text likeness (cosine of character bigrams of the two texts). A candidate is shown when
its score is at least ``THRESHOLD`` and it shares the caller, the place or (with the matter) the
text; merged and invalid tickets are never offered (the operator merges into an original).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.catalog.models import Matter
from hotline.insight.places import extract_places
from hotline.intake.services import normalize_phone
from hotline.orgs.models import Region
from hotline.tickets.models import VOID, Ticket

WINDOW = dt.timedelta(days=90)
THRESHOLD = 0.40
PER_SLICE = 200  # newest candidates read from each slice
MAX_TEXT = 1000

W_CALLER, W_PLACE, W_MATTER, W_REGION, W_TEXT = 0.30, 0.20, 0.15, 0.05, 0.30


@dataclass(frozen=True)
class Repeat:
    """A likely repeat of the request being registered: the earlier ticket, a score in [0, 1]
    and the reasons, already in the operator's language."""

    ticket: Ticket
    score: float
    reasons: list[str] = field(default_factory=list)


_NOISE = re.compile(r"[\s\d，。,.!！?？、；;：:（）()“”\"'\-—]+")


def _bigrams(text: str) -> Counter[str]:
    text = _NOISE.sub("", text or "")[:MAX_TEXT]
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def text_likeness(a: str | Counter, b: str) -> float:
    """Cosine of the character-bigram counts of two texts (``a`` may be counted already), 0 when
    either is empty."""
    ca = a if isinstance(a, Counter) else _bigrams(a)
    cb = _bigrams(b)
    if not ca or not cb:
        return 0.0
    dot = sum(v * ca[k] for k, v in cb.items() if k in ca)
    return dot / math.sqrt(sum(v * v for v in ca.values()) * sum(v * v for v in cb.values()))


def _places_of(*texts: str) -> set[str]:
    out: set[str] = set()
    for text in texts:
        out.update(extract_places(re.sub(r"\d+号.*$", "", text or "")))
    return out


def _same_place(mine: set[str], address: str, content: str) -> str:
    """The first of ``mine`` that the other ticket names, or ''."""
    for name in sorted(mine, key=len, reverse=True):
        if name in address or name in content[:MAX_TEXT]:
            return name
    theirs = _places_of(address)
    for name in mine:
        for other in theirs:
            if len(other) >= 3 and (other in name or name in other):
                return other
    return ""


def likely_repeats(
    phone: str,
    address: str,
    region: Region | str | None,
    matter: Matter | int | None,
    text: str,
    now: dt.datetime | None = None,
    limit: int = 5,
    exclude: Ticket | int | None = None,
) -> list[Repeat]:
    """Up to ``limit`` earlier tickets (last 90 days before ``now``) that this request likely
    repeats, best first. ``region`` and ``matter`` are model instances, ids or None; ``exclude`` a
    ticket (or id) to leave out, e.g. the one just registered. Empty input finds nothing."""
    now = now or timezone.now()
    since = now - WINDOW
    phone = (phone or "").strip()
    try:
        phone = normalize_phone(phone) if phone else ""  # as intake stores it
    except ValueError:
        pass
    address = (address or "").strip()[:255]
    text = (text or "")[:MAX_TEXT]
    region_id = region.pk if isinstance(region, Region) else region
    matter_id = matter.pk if isinstance(matter, Matter) else matter
    exclude_id = exclude.pk if isinstance(exclude, Ticket) else exclude
    limit = max(0, min(int(limit), 50))
    if limit == 0:
        return []
    mine = _places_of(address, text[:200])
    mine_bigrams = _bigrams(text)

    base = Ticket.objects.filter(received_at__gte=since, received_at__lte=now).exclude(status__in=VOID)
    if exclude_id:
        base = base.exclude(pk=exclude_id)
    fields = ("pk", "requester_phone", "address", "content", "title", "region_id", "matter_id", "received_at")
    slices = []
    if phone:
        slices.append(base.filter(requester_phone=phone))
    if region_id and matter_id:
        slices.append(base.filter(region_id=region_id, matter_id=matter_id))
    if region_id and mine:
        # Within the township only: a place search over the whole city has no index to use.
        named = Q()
        for name in mine:
            named |= Q(address__contains=name)
        slices.append(base.filter(named, region_id=region_id))
    rows: dict[int, tuple] = {}
    for qs in slices:
        for row in qs.order_by("-received_at").values_list(*fields)[:PER_SLICE]:
            rows[row[0]] = row

    scored: list[tuple[float, int, tuple]] = []
    for pk, their_phone, their_address, content, title, their_region, their_matter, _at in rows.values():
        caller = bool(phone) and their_phone == phone
        place = _same_place(mine, their_address, content) if mine else ""
        same_matter = bool(matter_id) and their_matter == matter_id
        likeness = text_likeness(mine_bigrams, f"{title} {content}")
        score = (
            W_CALLER * caller
            + W_PLACE * bool(place)
            + W_MATTER * same_matter
            + W_REGION * (bool(region_id) and their_region == region_id)
            + W_TEXT * likeness
        )
        related = caller or place or (same_matter and likeness >= 0.3)
        if related and score >= THRESHOLD:
            scored.append((round(min(score, 1.0), 3), pk, (caller, place, same_matter, likeness)))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    best = scored[:limit]
    tickets = Ticket.objects.in_bulk([pk for _, pk, _ in best])
    return [Repeat(ticket=tickets[pk], score=score, reasons=_reasons(*why)) for score, pk, why in best]


def _reasons(caller: bool, place: str, same_matter: bool, likeness: float) -> list[str]:
    """Said only for the candidates shown: translating costs more than scoring."""
    reasons = []
    if caller:
        reasons.append(_("same caller"))
    if place:
        reasons.append(_("same place: %(place)s") % {"place": place})
    if same_matter:
        reasons.append(_("same matter"))
    if likeness >= 0.3:
        reasons.append(_("similar text (%(pct)d%%)") % {"pct": round(likeness * 100)})
    return reasons
