"""The demo's insight step: hot issues of the simulated month, the surge scan, and the estate-gate
rectification project the simulator's story calls for (its measures took effect
``GATE_FIXED_DAYS`` days before the end, so the project page has before/after figures)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.utils import timezone

from hotline.catalog.models import Matter
from hotline.demo.simulator import GATE_FIXED_DAYS, GATE_MATTERS, GATE_PLACE
from hotline.dispatch import router
from hotline.insight.models import RectificationProject
from hotline.insight.services import create_project, project_effect, refresh_hotspots
from hotline.insight.warnings import scan_surges
from hotline.orgs.models import Region


def prepare_insight(say: Callable[[str], None], *, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    started = time.perf_counter()
    spots = refresh_hotspots(days=30, now=now)
    say(
        f"hot issues: {len(spots)} in {time.perf_counter() - started:.1f} s"
        + (f"; top: {spots[0].title}" if spots else "")
    )
    warnings = scan_surges(now)
    say(
        f"surge warnings: {len(warnings)}"
        + "".join(f"; {w.region.name} {w.matter.name} {w.count}" for w in warnings[:3])
    )
    gate = next((s for s in spots if GATE_PLACE in s.title or GATE_PLACE in s.place), None)
    if gate is None or RectificationProject.objects.filter(place=GATE_PLACE).exists():
        return
    matters = list(Matter.objects.filter(code__in=GATE_MATTERS))
    township = gate.tickets.exclude(region=None).values_list("region", flat=True).first()
    region = Region.objects.filter(pk=township).first()
    unit = router.route(matters[0], region).unit if region and matters else None
    if unit is None:
        return
    start = now - dt.timedelta(days=GATE_FIXED_DAYS)
    project = create_project(
        title=f"{GATE_PLACE}门口摊贩占道和乱停车综合整治",
        lead_unit=unit,
        place=GATE_PLACE,
        region=region,
        matters=matters,
        measures="成立街道、城管、交警和物业工作专班；门口设便民疏导点，摊贩入市经营；新划停车位40个；"
        "安装两路监控并纳入网格巡查。",
        measures_from=start,
        milestones=[
            ("工作专班成立，现场会商", (start - dt.timedelta(days=7)).date()),
            ("便民疏导点启用，停车位划线", start.date()),
            ("监控接入网格平台，回头看", (now + dt.timedelta(days=20)).date()),
        ],
        hotspot=gate,
    )
    effect = project_effect(project, now=now)
    say(
        f"rectification project: {project.title}; before {effect['before']} "
        f"(scaled {effect['before_scaled']}), after {effect['after']}, change {effect['change_pct']}%"
    )
