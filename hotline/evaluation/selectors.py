"""Reads of evaluation figures. The three rates, the composite and the zones are defined here and
nowhere else; ``definitions()`` gives the text shown on screen beside every figure."""

from __future__ import annotations

import calendar as pycal
import datetime as dt
import re
from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.catalog.models import Matter
from hotline.orgs import areas
from hotline.orgs.models import Region, Unit
from hotline.policy import services as policy
from hotline.policy.services import PolicyValues
from hotline.tickets.models import ReplyClass, Status, Ticket
from hotline.tickets.selectors import tickets_visible_to

from .models import THREE_GRADES, Praise, Revisit, Satisfaction

if TYPE_CHECKING:
    from hotline.orgs.permissions import User

BY = ("unit", "district", "township", "matter")
ZONES = ("blue", "yellow", "red")


def policy_for(period: Period | None = None) -> PolicyValues:
    """The policy a period's figures are computed with (the one in force on its last day, or
    today while it runs); today's without a period."""
    return policy.for_period(period.end) if period is not None else policy.in_force()


def awaiting_revisit(viewer: User, *, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """Replied tickets the viewer may see, waiting for the citizen to be called back (回访), and
    closed ones whose merged tickets' requesters (并单) still wait for theirs within the window."""
    now = now or timezone.now()
    answered = Revisit.objects.filter(
        requester=OuterRef("pk"), outcome=Revisit.Outcome.VALID, recorded_at__gte=OuterRef("merged_into__replied_at")
    )
    waiting = Ticket.objects.filter(merged_into=OuterRef("pk"), status=Status.MERGED).exclude(Exists(answered))
    return tickets_visible_to(viewer).filter(
        Q(status=Status.REPLIED, review_pending=False) | Q(status=Status.CLOSED, revisit_due__gte=now) & Exists(waiting)
    )


def awaiting_review(viewer: User) -> QuerySet[Ticket]:
    """Replies waiting for a reviewer at the centre before their revisit (答复审核)."""
    return tickets_visible_to(viewer).filter(status=Status.REPLIED, review_pending=True)


def definitions(rules: PolicyValues | None = None) -> dict[str, str]:
    """The definition of each figure, with the policy's figures filled in (default: the policy in
    force today), and ``policy``: which policy that is."""
    p = rules or policy.in_force()
    weights = p.weights
    total = sum(weights.values()) or 1
    if p.zone_mode == "rank":
        zone = _(
            "Zones by ranking: the top %(blue).0f%% of ranked units are blue, the bottom %(red).0f%% red, "
            "the rest yellow."
        ) % {"blue": 100 * p.zone_blue_rank, "red": 100 * p.zone_red_rank}
    else:
        zone = _("Zones by composite score: blue from %(blue)s, yellow from %(yellow)s, red below.") % {
            "blue": f"{p.zone_blue:g}",
            "yellow": f"{p.zone_yellow:g}",
        }
    return {
        "sample": _(
            "Valid revisits only: unreachable and refused revisits are excluded. A unit with fewer than "
            "%(n)d valid revisits in the period is shown but not ranked."
        )
        % {"n": p.min_revisits}
        + _classes_definition(p),
        "response": _("Response rate = revisits where the citizen says the unit contacted them ÷ valid revisits."),
        "resolution": _("Resolution rate = revisits where the citizen says the problem is solved ÷ valid revisits."),
        "satisfaction": _satisfaction_definition(p),
        "composite": _("Composite score = %(r)s%% response + %(s)s%% resolution + %(f)s%% satisfaction.")
        % {
            "r": f"{100 * weights['response'] / total:.0f}",
            "s": f"{100 * weights['resolution'] / total:.0f}",
            "f": f"{100 * weights['satisfaction'] / total:.0f}",
        },
        "zone": zone,
        "praise": _("Praise: praise of a unit recorded from citizens' calls in the period."),
        "policy": _("Figures computed with %(policy)s.") % {"policy": p.label},
    }


def offered_grades(rules: PolicyValues | None = None) -> list[tuple[str, str]]:
    """The satisfaction grades offered to citizens (value, label), best first: three or five, by
    the policy in force."""
    p = rules or policy.in_force()
    grades = Satisfaction.values if p.satisfaction_scale == "five" else [g.value for g in THREE_GRADES]
    return [(g, str(Satisfaction(g).label)) for g in grades]


def _classes_definition(p: PolicyValues) -> str:
    """How replies the centre classed count, said beside every figure (empty when all count)."""
    labels = dict(ReplyClass.choices)
    excluded = [str(labels[c]) for c in policy.CLASSES if p.class_policies.get(c, "count") == "exclude"]
    solved = [str(labels[c]) for c in policy.CLASSES if p.class_policies.get(c, "count") == "solved"]
    text = ""
    if excluded:
        text += " " + _("Revisits of replies the centre classed as %(classes)s are left out.") % {
            "classes": "、".join(excluded)
        }
    if solved:
        text += " " + _("Replies the centre classed as %(classes)s count as resolved.") % {"classes": "、".join(solved)}
    return text


def _satisfaction_definition(p: PolicyValues) -> str:
    w = p.grade_weights
    if p.satisfaction_scale == "three" and w["satisfied"] == 1 and w["dissatisfied"] == 0:
        return _("Satisfaction rate = (satisfied + %(share)s × basically satisfied) ÷ valid revisits.") % {
            "share": f"{p.basic_share:g}"
        }
    terms = " + ".join(f"{w[g]:g} × {label}" if w[g] != 1 else str(label) for g, label in offered_grades(p) if w[g] > 0)
    return _("Satisfaction rate = (%(terms)s) ÷ valid revisits, on a scale of %(n)d grades.") % {
        "terms": terms or "0",
        "n": len(offered_grades(p)),
    }


_METRICS = ("n", "contacted", "solved", *(f"grade_{g}" for g in Satisfaction.values))


def _metrics(prefix: str, where: Q) -> dict[str, Count]:
    valid = Q(**{f"{prefix}outcome": Revisit.Outcome.VALID}) & where
    return {
        "n": Count("id", filter=valid),
        "contacted": Count("id", filter=valid & Q(**{f"{prefix}contacted": True})),
        "solved": Count("id", filter=valid & Q(**{f"{prefix}solved": True})),
        **{
            f"grade_{grade}": Count("id", filter=valid & Q(**{f"{prefix}satisfaction": grade}))
            for grade in Satisfaction.values
        },
    }


def _aggregates(prefix: str = "") -> dict:
    """Every count the rates need: over all valid revisits, and again over those of each reply
    class the centre decided (``<class>:<metric>``), so that ``_rates`` applies any policy's class
    rules (a past month's included) to one query's result."""
    out: dict[str, Count] = {}
    # The per-class counts first: an alias named like a field ("contacted", "solved") would shadow
    # the field in the filters of the counts after it.
    for cls in policy.CLASSES:
        for name, count in _metrics(prefix, Q(**{f"{prefix}ticket__decided_class": cls})).items():
            out[f"{cls}:{name}"] = count
    out.update(_metrics(prefix, Q()))
    return out


def _apply_classes(agg: dict, p: PolicyValues) -> dict:
    """The counts after the policy's class rules: an excluded class's revisits leave the sample; a
    class counted as solved is solved whatever the citizen said."""
    counts = {name: agg[name] for name in _METRICS}
    for cls in policy.CLASSES:
        mode = p.class_policies.get(cls, "count")
        if mode == "exclude":
            for name in _METRICS:
                counts[name] -= agg[f"{cls}:{name}"]
        elif mode == "solved":
            counts["solved"] += agg[f"{cls}:n"] - agg[f"{cls}:solved"]
    return counts


def _rates(agg: dict, p: PolicyValues) -> dict[str, float | int | None]:
    agg = _apply_classes(agg, p)
    n = agg["n"]
    if not n:
        return {"n": 0, "response": None, "resolution": None, "satisfaction": None, "composite": None}
    out = {
        "n": n,
        "response": 100 * agg["contacted"] / n,
        "resolution": 100 * agg["solved"] / n,
        "satisfaction": 100 * sum(p.grade_weights[g] * agg[f"grade_{g}"] for g in Satisfaction.values) / n,
    }
    weights = p.weights
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("the composite weights must not all be zero")
    out["composite"] = sum(out[k] * w for k, w in weights.items()) / total
    return out


def three_rates(revisits: QuerySet[Revisit], rules: PolicyValues | None = None) -> dict[str, float | int | None]:
    """Response, resolution and satisfaction (percent) over the valid revisits in ``revisits``, with
    the composite score and the sample size ``n``, by ``rules`` (default: the policy in force
    today; a past period passes ``policy_for(period)``). See ``definitions()``."""
    return _rates(revisits.aggregate(**_aggregates()), rules or policy.in_force())


def three_rates_by(
    revisits: QuerySet[Revisit],
    field: str,
    rules: PolicyValues | None = None,
    *,
    rules_for: Callable[[Any], PolicyValues] | None = None,
) -> dict[object, dict[str, float | int | None]]:
    """The three rates per value of ``field`` (e.g. ``lead_unit`` or an annotated month), by the
    same definition; groups without a valid revisit are left out. ``rules_for(value)`` gives each
    group its own policy (a month's: the one in force then)."""
    p = rules or policy.in_force()
    rows = revisits.values(field).annotate(**_aggregates()).order_by()
    out = {row[field]: _rates(row, rules_for(row[field]) if rules_for else p) for row in rows}
    return {key: rates for key, rates in out.items() if rates["n"]}


# --- periods ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.datetime  # inclusive, aware
    end: dt.datetime  # exclusive, aware

    def previous(self) -> Period:
        if len(self.label) == 4:
            return parse_period(str(int(self.label) - 1))
        return parse_period(f"{timezone.localtime(self.start) - dt.timedelta(days=1):%Y-%m}")


def parse_period(text: str) -> Period:
    """``2026-11`` (a month) or ``2026`` (a year), on the centre's local clock."""
    text = (text or "").strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", text)
    if not m:
        raise ValueError(_("A period is a month (2026-11) or a year (2026), not %(text)r.") % {"text": text})
    year = int(m.group(1))
    if not 2000 <= year <= 2100:
        raise ValueError(_("Year %(year)d is out of range.") % {"year": year})
    if m.group(2):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise ValueError(_("Month %(month)d is out of range.") % {"month": month})
        start = dt.datetime(year, month, 1)
        end = start + dt.timedelta(days=pycal.monthrange(year, month)[1])
        label = f"{year}-{month:02d}"
    else:
        start, end, label = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1), str(year)
    return Period(label, timezone.make_aware(start), timezone.make_aware(end))


# --- scores ----------------------------------------------------------------------------------------


def _group_key(by: str) -> F | Case:
    """The expression naming the group of a revisit (through its ticket's region or matter)."""
    if by == "unit":
        return F("lead_unit_id")
    if by == "matter":
        return F("ticket__matter_id")
    if by == "district":
        return areas.district_code("ticket__region_id")
    if by == "township":
        return areas.township_code("ticket__region_id")
    raise ValueError(_("Scores are grouped by one of %(by)s, not %(bad)r.") % {"by": ", ".join(BY), "bad": by})


def _names(by: str, keys: list) -> dict:
    keys = [k for k in keys if k is not None]
    if by == "unit":
        return {u.pk: str(u) for u in Unit.objects.filter(pk__in=keys)}
    if by == "matter":
        return dict(Matter.objects.filter(pk__in=keys).values_list("pk", "name"))
    return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))


def _zone_rows(rows: list[dict], p: PolicyValues) -> None:
    """Rank the rows with enough valid revisits and give each a zone; the others get neither."""
    minimum = p.min_revisits
    ranked = sorted((r for r in rows if r["n"] >= minimum), key=lambda r: (-r["composite"], -r["n"], str(r["key"])))
    mode = p.zone_mode
    if mode not in ("threshold", "rank"):
        raise ValueError(f"HOTLINE_ZONE_MODE must be threshold or rank, not {mode!r}")
    count = len(ranked)
    for i, row in enumerate(ranked):
        row["rank"] = i + 1
        if mode == "threshold":
            score = row["composite"]
            row["zone"] = "blue" if score >= p.zone_blue else ("yellow" if score >= p.zone_yellow else "red")
        else:
            blue = round(count * p.zone_blue_rank)
            red = round(count * p.zone_red_rank)
            row["zone"] = "blue" if i < blue else ("red" if i >= count - red else "yellow")
    for row in rows:
        row.setdefault("rank", None)
        row.setdefault("zone", None)


def unit_scores(period: Period | str, *, by: str = "unit") -> list[dict]:
    """The period's three rates, composite, rank and zone per unit (or district, township, matter).

    One row per group with at least one revisit: ``key``, ``name``, ``n`` (valid revisits),
    ``response``, ``resolution``, ``satisfaction``, ``composite`` (percent, None when n is 0),
    ``rank`` and ``zone`` (None below the minimum sample), and for units ``praise``. Ranked rows
    come first, best first; then the unranked by sample size. Computed with the policy in force on
    the period's last day (``policy_for``), so a change made later leaves the ranking as it was.
    """
    if isinstance(period, str):
        period = parse_period(period)
    p = policy_for(period)
    key = _group_key(by)
    grouped = (
        Revisit.objects.filter(recorded_at__gte=period.start, recorded_at__lt=period.end)
        .annotate(group=key)
        .values("group")
        .annotate(**_aggregates())
        .order_by()
    )
    rows = []
    for agg in grouped:
        row = {"key": agg["group"], **_rates(agg, p)}
        rows.append(row)
    names = _names(by, [r["key"] for r in rows])
    for row in rows:
        row["name"] = names.get(row["key"], _("(unknown)"))
    if by == "unit":
        praise = praise_counts(period)
        for row in rows:
            row["praise"] = praise.get(row["key"], 0)
    _zone_rows(rows, p)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, -r["n"], str(r["name"])))
    return rows


def praise_counts(period: Period) -> dict[int, int]:
    return dict(
        Praise.objects.filter(recorded_at__gte=period.start, recorded_at__lt=period.end)
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("unit_id", "n")
    )


def month_headline(period: Period | str, *, scores: list[dict] | None = None, units: set[int] | None = None) -> dict:
    """Xining's kind of headline: the share of ranked units in the blue zone and praise this month,
    each beside last month's figure. ``scores``: the month's ``unit_scores`` when the caller has
    them already (the dashboard), so they are not counted twice. ``units``: only these units' rows
    and praise (a district's own units; their zones are still those of the city-wide ranking)."""
    if isinstance(period, str):
        period = parse_period(period)

    def figures(p: Period, given: list[dict] | None = None) -> dict:
        rows = [
            r
            for r in (unit_scores(p) if given is None else given)
            if r["rank"] is not None and (units is None or r["key"] in units)
        ]
        blue = sum(r["zone"] == "blue" for r in rows)
        praise = Praise.objects.filter(recorded_at__gte=p.start, recorded_at__lt=p.end)
        return {
            "ranked": len(rows),
            "blue": blue,
            "blue_share": 100 * blue / len(rows) if rows else None,
            "zones": {z: sum(r["zone"] == z for r in rows) for z in ZONES},
            "praise": (praise if units is None else praise.filter(unit_id__in=units)).count(),
        }

    now = figures(period, scores)
    before = figures(period.previous())
    return {"period": period.label, **now, "previous": {"period": period.previous().label, **before}}
