"""安全隐患举报受理情况日报: the safety-hazard daily report, one paragraph in the city's published form.

"9月23日，西宁市共收到安全隐患举报54件，其中12345政务服务便民热线接收举报42件、12350安全生产
举报热线接收举报12件，主要反映电梯、燃气、消防通道和疏散等问题，已及时联系相应县区政府核实处理。"

Which matters count as safety hazards and which sources the sentence names is configuration
(``config.py``, ``data/safety.toml``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from hotline.catalog.models import Matter
from hotline.tickets.models import VOID, Ticket

from .config import SafetyConfig, safety_config
from .periods import Kind, period_for


@dataclass(frozen=True)
class SafetyFigures:
    day: dt.date
    city: str
    total: int
    by_source: list[tuple[str, int]]  # in the configured order, sources with nothing left out
    topics: list[str]  # the most frequent categories, most frequent first
    closing: str


def safety_tickets(day: dt.date, config: SafetyConfig | None = None) -> QuerySet[Ticket]:
    """The tickets received on ``day`` (local time) whose matter counts as a safety hazard."""
    config = config or safety_config()
    period = period_for(Kind.SAFETY_DAILY, day)
    hazard = reduce(or_, (Q(matter__code__startswith=code) for code in config.matters))
    return Ticket.objects.filter(hazard, received_at__gte=period.start, received_at__lt=period.end).exclude(
        status__in=VOID  # duplicates merged into another ticket and invalid calls are no reports
    )


def safety_figures(day: dt.date, config: SafetyConfig | None = None) -> SafetyFigures:
    config = config or safety_config()
    tickets = safety_tickets(day, config)
    per_channel = dict(tickets.values_list("channel").annotate(n=Count("id")).order_by())
    per_source: dict[str, int] = {}
    for channel, n in per_channel.items():
        source = config.source_of(channel)
        if source is not None:
            per_source[source] = per_source.get(source, 0) + n
    digits = 2 * config.topic_level
    # Most frequent first; ties in catalogue order.
    topic_counts = list(
        tickets.annotate(topic=Substr("matter__code", 1, digits))
        .values("topic")
        .annotate(n=Count("id"))
        .order_by("-n", "topic")[: config.topics]
    )
    names = dict(Matter.objects.filter(code__in=[t["topic"] for t in topic_counts]).values_list("code", "name"))
    return SafetyFigures(
        day=day,
        city=config.city,
        total=sum(per_channel.values()),
        by_source=[(s.name, per_source[s.name]) for s in config.sources if per_source.get(s.name)],
        topics=[names.get(t["topic"], t["topic"]) for t in topic_counts],
        closing=config.closing,
    )


def safety_paragraph(day: dt.date, config: SafetyConfig | None = None) -> str:
    """The day's paragraph, in the active language (the centre's: zh-hans)."""
    return write_paragraph(safety_figures(day, config))


def _items(words: list[str]) -> str:
    # "A、B、C" in Chinese: the separators are messages too, so English reads "A, B, C".
    return reduce(lambda items, item: _("%(items)s, %(item)s") % {"items": items, "item": item}, words)


def _clauses(parts: list[str]) -> str:
    return reduce(lambda done, part: _("%(clauses)s; %(clause)s") % {"clauses": done, "clause": part}, parts)


def write_paragraph(f: SafetyFigures) -> str:
    date = _("%(month)d/%(day)d") % {"month": f.day.month, "day": f.day.day}
    if not f.total:
        return _("%(date)s, %(city)s received no safety-hazard reports.") % {"date": date, "city": f.city}
    clauses = [
        _("%(date)s, %(city)s received %(n)d safety-hazard reports") % {"date": date, "city": f.city, "n": f.total}
    ]
    if f.by_source:
        parts = _items([_("%(source)s received %(n)d") % {"source": source, "n": n} for source, n in f.by_source])
        clauses.append(_("of which %(parts)s") % {"parts": parts})
    if f.topics:
        clauses.append(_("mainly about %(topics)s and similar problems") % {"topics": _items(f.topics)})
    if f.closing:
        return _clauses([*clauses, f.closing])
    return _("%(sentence)s.") % {"sentence": _clauses(clauses)}
